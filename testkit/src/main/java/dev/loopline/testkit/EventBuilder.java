package dev.loopline.testkit;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/** A platform event for {@link Loopline#publish}: its record, and the attributes it carries. */
public final class EventBuilder {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, Object> event = new LinkedHashMap<>();
    private final Map<String, Object> attributes = new LinkedHashMap<>();

    EventBuilder(String source, String entityType, String entityId, String messageName) {
        event.put("eventId", UUID.randomUUID().toString());
        event.put("source", source);
        event.put("entityType", entityType);
        event.put("entityId", entityId);
        event.put("messageName", messageName);
    }

    /** The event's id (its idempotency key); random unless set. */
    public EventBuilder id(String eventId) {
        event.put("eventId", eventId);
        return this;
    }

    /** An attribute: null, a boolean, a number or a text. */
    public EventBuilder attribute(String name, Object value) {
        attributes.put(name, value);
        return this;
    }

    public String eventId() {
        return (String) event.get("eventId");
    }

    String json() {
        Map<String, Object> body = new LinkedHashMap<>(event);
        body.put("attributes", attributes);
        try {
            return JSON.writeValueAsString(body);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
