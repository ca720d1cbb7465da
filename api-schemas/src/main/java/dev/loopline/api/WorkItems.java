package dev.loopline.api;

import java.util.Set;

/**
 * Work items, as the runtime that creates them and the gateway that lists and answers them agree on
 * them. A work item is a platform task: the runtime posts a TASK_CREATED message for it, and a
 * TaskChanged event on entity type {@value #ENTITY_TYPE} and entity id the item's id answers it,
 * with the attribute {@value #OUTCOME} (one of {@link #OUTCOMES}).
 */
public final class WorkItems {

    /** The entity type of tasks. */
    public static final String ENTITY_TYPE = "task";

    /** The event that answers a work item. */
    public static final String ANSWER_MESSAGE = "TaskChanged";

    /** The source of the answers the gateway publishes for {@code POST /v1/work-items/{id}/complete}. */
    public static final String SOURCE = "work-items";

    /** The answer's attributes. */
    public static final String OUTCOME = "outcome";

    public static final String DELEGATE_TO = "delegateTo";
    public static final String BY = "by";
    public static final String COMMENT = "comment";

    public static final String APPROVE = "Approve";
    public static final String REJECT = "Reject";
    public static final String REQUEST_CHANGE = "RequestChange";
    public static final String DELEGATE = "Delegate";

    public static final Set<String> OUTCOMES = Set.of(APPROVE, REJECT, REQUEST_CHANGE, DELEGATE);

    private static final String TASK = "-task-";

    private WorkItems() {}

    /**
     * The id of the work item an instruction creates: its task id, safe in a URL path, with the
     * step's attempt after a dot when it is not the first.
     */
    public static String id(String instanceId, int index, int attempt) {
        return instanceId + TASK + index + (attempt == 0 ? "" : "." + attempt);
    }

    /** The instance a work item belongs to, or null for an id that no work item has. */
    public static String instanceOf(String workItemId) {
        int at = workItemId.lastIndexOf(TASK);
        return at <= 0 ? null : workItemId.substring(0, at);
    }
}
