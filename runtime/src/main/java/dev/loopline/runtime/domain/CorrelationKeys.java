package dev.loopline.runtime.domain;

import dev.loopline.api.v1.PlatformEvent;

/**
 * Correlation keys: {@code <entity type>␟<key field>␟<value>}, e.g. {@code task␟entityId␟<task id>}
 * or {@code payment␟orderId␟42}. Waits register under a key; events are routed to every key they
 * carry. The unit separator (U+001F) cannot appear in a sensible id, so keys do not collide.
 */
public final class CorrelationKeys {

    public static final char SEPARATOR = '\u001f';
    public static final String ENTITY_ID = "entityId";

    private CorrelationKeys() {}

    public static String of(String entityType, String keyField, String value) {
        return entityType + SEPARATOR + keyField + SEPARATOR + value;
    }

    /** The value of {@code keyField} in the event ("entityId" or an attribute), or null if it has none. */
    public static String valueIn(PlatformEvent event, String keyField) {
        if (ENTITY_ID.equals(keyField)) {
            return event.getEntityId();
        }
        Object value = event.getAttributes().get(keyField);
        return value == null ? null : String.valueOf(value);
    }
}
