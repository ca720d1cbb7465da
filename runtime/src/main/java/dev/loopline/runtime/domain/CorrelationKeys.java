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
            return text(event.getEntityId());
        }
        Object value = event.getAttributes().get(keyField);
        return value == null ? null : text(value);
    }

    /**
     * A key value as text, the same on both sides: a whole number reads "42" whether it came as a
     * long or as 42.0. Null for a value with control characters, which could forge another key.
     */
    public static String text(Object value) {
        String text = value instanceof Double d && d == Math.rint(d) && !d.isInfinite() && Math.abs(d) < 1e15
                ? Long.toString(d.longValue())
                : String.valueOf(value);
        return text.chars().anyMatch(Character::isISOControl) ? null : text;
    }
}
