package dev.loopline.runtime.domain;

import dev.loopline.api.InstanceId;

/**
 * Deterministic ids, derived from their inputs and never from counters, so that a retry after a
 * crash produces the same ids and duplicates are recognised.
 */
public final class InstanceIds {

    private InstanceIds() {}

    /** One instance per (event, definition): see {@link InstanceId}. */
    public static String instanceId(String eventId, String definitionId) {
        return InstanceId.of(eventId, definitionId);
    }

    /** The "workflow started" message of an instance. */
    public static String startedMessageId(String instanceId) {
        return instanceId + "/started";
    }

    /** The task a create-task step at {@code index} creates: the id its TaskChanged/TaskDeleted events carry. */
    public static String taskId(String instanceId, int index) {
        return instanceId + "/task-" + index;
    }

    /** The message of step {@code index} of an instance. */
    public static String stepMessageId(String instanceId, int index) {
        return instanceId + "/step-" + index;
    }
}
