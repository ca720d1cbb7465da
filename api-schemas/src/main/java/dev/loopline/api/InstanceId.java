package dev.loopline.api;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * The id of the instance an event starts of a definition: one per (event, definition), a
 * name-based UUID of both ids. The runtime names instances with it, and the gateway tells an
 * on-demand caller the id of the instance its request starts before it runs.
 */
public final class InstanceId {

    private InstanceId() {}

    public static String of(String eventId, String definitionId) {
        byte[] name = (eventId + '\u0000' + definitionId).getBytes(StandardCharsets.UTF_8);
        return UUID.nameUUIDFromBytes(name).toString();
    }
}
