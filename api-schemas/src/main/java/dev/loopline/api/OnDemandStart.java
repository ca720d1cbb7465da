package dev.loopline.api;

import dev.loopline.api.v1.PlatformEvent;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * The events that start one definition on demand ({@code PlatformEvent.startsDefinition}): the
 * gateway publishes them for {@code POST /v1/definitions/{id}/instances}, the runtime for a
 * start-workflow step. They take their turn on their entity's partition like any event.
 */
public final class OnDemandStart {

    /** Their message name. */
    public static final String MESSAGE_NAME = "OnDemand";

    /** The source of those the gateway publishes for a request. */
    public static final String REQUEST_SOURCE = "on-demand";

    /** The source of those a workflow's start-workflow or call-workflow step publishes. */
    public static final String WORKFLOW_SOURCE = "workflow";

    /**
     * The source of a call-workflow child on its parent's own entity: it runs under the token its
     * parent holds, where queueing behind the parent would have each wait for the other.
     */
    public static final String CALL_SOURCE = "workflow-call";

    private OnDemandStart() {}

    /**
     * The event of a request: one per (definition, entity, request id), so that a retried request
     * starts nothing twice, and the same request id on another entity is another request. The entity
     * id enters as a name-based UUID: it may hold any character.
     */
    public static String requestEventId(String definitionId, String entityId, String requestId) {
        String entity = UUID.nameUUIDFromBytes(entityId.getBytes(StandardCharsets.UTF_8))
                .toString();
        return REQUEST_SOURCE + "/" + definitionId + "/" + requestId + "/" + entity;
    }

    /**
     * The instance whose start-workflow or call-workflow step published this start (its causation
     * names it), or null for any other event.
     */
    public static String parentOf(PlatformEvent event) {
        return (WORKFLOW_SOURCE.equals(event.getSource()) || CALL_SOURCE.equals(event.getSource()))
                        && event.getCausation() != null
                ? event.getCausation().getOriginatingInstanceId()
                : null;
    }

    /**
     * Whether an event's source or id is one that only on-demand starts and dialog answers may use
     * (the gateway and the runtime write those; {@code POST /v1/events} may not).
     */
    public static boolean isReserved(String source, String eventId) {
        return REQUEST_SOURCE.equals(source)
                || WORKFLOW_SOURCE.equals(source)
                || CALL_SOURCE.equals(source)
                || Dialogs.SOURCE.equals(source)
                || (eventId != null
                        && (eventId.startsWith(REQUEST_SOURCE + "/")
                                || eventId.startsWith(WORKFLOW_SOURCE + "/")
                                || eventId.startsWith(Dialogs.SOURCE + "/")));
    }

    /** The event of a start-workflow step: one per step message id, so that a step run again starts nothing twice. */
    public static String workflowEventId(String stepMessageId) {
        return WORKFLOW_SOURCE + "/" + stepMessageId;
    }
}
