package dev.loopline.runtime.domain;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * Deterministic ids, derived from their inputs and never from counters, so that a retry after a
 * crash produces the same ids and duplicates are recognised.
 */
public final class InstanceIds {

    private InstanceIds() {}

    /** One instance per (event, definition): a name-based UUID of both ids. */
    public static String instanceId(String eventId, String definitionId) {
        byte[] name = (eventId + '\u0000' + definitionId).getBytes(StandardCharsets.UTF_8);
        return UUID.nameUUIDFromBytes(name).toString();
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
