package dev.loopline.definition.json;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads fields from a JSON request, collecting every error with the path of the field it concerns
 * instead of stopping at the first, so a client fixes its request in one go.
 */
public final class JsonFields {
    /** The longest duration a document may give (about 100 years): longer is a typo, and overflows. */
    public static final java.time.Duration LONGEST = java.time.Duration.ofDays(36_500);

    /**
     * The longest text field (a name, an id, an expression): {@value} characters. Attribute and
     * payload values are bounded by the size of the request instead.
     */
    public static final int MAX_TEXT_CHARS = 2_048;

    /** The most entries in one object of values or one list of strings: {@value}. */
    public static final int MAX_ENTRIES = 1_024;

    /** The most errors reported for one request: {@value}; the rest are counted. */
    public static final int MAX_ERRORS = 100;

    private final List<FieldError> errors = new ArrayList<>();
    private int unreported;

    /** A JSON object, or an error recorded at {@code path}. */
    public JsonNode object(JsonNode parent, String name, String path, boolean required) {
        JsonNode node = parent.get(name);
        if (node == null || node.isNull()) {
            if (required) {
                error(path, "is required");
            }
            return null;
        }
        if (!node.isObject()) {
            error(path, "expected an object");
            return null;
        }
        return node;
    }

    public String text(JsonNode parent, String name, String path, boolean required) {
        JsonNode node = parent.get(name);
        if (node == null || node.isNull()) {
            if (required) {
                error(path, "is required");
            }
            return null;
        }
        if (!node.isTextual() || node.asText().isBlank()) {
            error(path, "expected a non-empty string");
            return null;
        }
        if (node.asText().length() > MAX_TEXT_CHARS) {
            error(path, "expected at most " + MAX_TEXT_CHARS + " characters");
            return null;
        }
        return node.asText();
    }

    private static final Instant EARLIEST = Instant.parse("0001-01-01T00:00:00Z");
    private static final Instant LATEST = Instant.parse("9999-12-31T23:59:59.999Z");

    /** An ISO-8601 instant between the years 1 and 9999, or null when absent. */
    public Instant instant(JsonNode parent, String name, String path) {
        String text = text(parent, name, path, false);
        if (text == null) {
            return null;
        }
        Instant instant;
        try {
            instant = Instant.parse(text);
        } catch (DateTimeParseException e) {
            error(path, "expected an ISO-8601 instant such as 2026-11-21T10:15:30Z");
            return null;
        }
        // Avro's timestamp_ms holds milliseconds in a long: years far outside these do not fit
        if (instant.isBefore(EARLIEST) || instant.isAfter(LATEST)) {
            error(path, "expected an instant between the years 1 and 9999");
            return null;
        }
        return instant;
    }

    /** An ISO-8601 duration such as PT30S or P7D, or null when absent. */
    public java.time.Duration duration(JsonNode parent, String name, String path) {
        String text = text(parent, name, path, false);
        if (text == null) {
            return null;
        }
        try {
            java.time.Duration duration = java.time.Duration.parse(text);
            if (duration.isNegative() || duration.isZero()) {
                error(path, "expected a positive ISO-8601 duration");
                return null;
            }
            if (duration.compareTo(LONGEST) > 0) {
                error(path, "expected at most " + LONGEST.toDays() + " days");
                return null;
            }
            return duration;
        } catch (DateTimeParseException e) {
            error(path, "expected ISO-8601 duration such as PT30S or P7D");
            return null;
        }
    }

    /** A string, or an array of strings, as a list; empty when absent. */
    public List<String> strings(JsonNode parent, String name, String path) {
        JsonNode node = parent.get(name);
        List<String> values = new ArrayList<>();
        if (node == null || node.isNull()) {
            return values;
        }
        if (node.isTextual() && !node.asText().isBlank()) {
            values.add(node.asText());
            return values;
        }
        if (!node.isArray()) {
            error(path, "expected a string or an array of strings");
            return values;
        }
        if (node.size() > MAX_ENTRIES) {
            error(path, "expected at most " + MAX_ENTRIES + " strings");
            return values;
        }
        for (int i = 0; i < node.size(); i++) {
            if (node.get(i).isTextual()
                    && !node.get(i).asText().isBlank()
                    && node.get(i).asText().length() <= MAX_TEXT_CHARS) {
                values.add(node.get(i).asText());
            } else {
                error(path + "[" + i + "]", "expected a non-empty string of at most " + MAX_TEXT_CHARS + " characters");
            }
        }
        return values;
    }

    /** An array, or an error; null when absent and not required. */
    public JsonNode array(JsonNode parent, String name, String path, boolean required) {
        JsonNode node = parent.get(name);
        if (node == null || node.isNull()) {
            if (required) {
                error(path, "is required");
            }
            return null;
        }
        if (!node.isArray()) {
            error(path, "expected an array");
            return null;
        }
        return node;
    }

    public Integer nonNegativeInt(JsonNode parent, String name, String path) {
        JsonNode node = parent.get(name);
        if (node == null || !node.canConvertToInt() || !node.isIntegralNumber() || node.asInt() < 0) {
            error(path, "expected a whole number ≥ 0");
            return null;
        }
        return node.asInt();
    }

    /** An object of scalar values (string, whole number, decimal, boolean or null): the Avro attribute map. */
    public Map<String, Object> scalars(JsonNode parent, String name, String path) {
        Map<String, Object> values = new HashMap<>();
        JsonNode node = object(parent, name, path, false);
        if (node == null) {
            return values;
        }
        if (node.size() > MAX_ENTRIES) {
            error(path, "expected at most " + MAX_ENTRIES + " entries");
            return values;
        }
        for (Map.Entry<String, JsonNode> entry : node.properties()) {
            JsonNode value = entry.getValue();
            String at = path + "." + entry.getKey();
            if (value.isNull()) {
                values.put(entry.getKey(), null);
            } else if (value.isTextual()) {
                values.put(entry.getKey(), value.asText());
            } else if (value.isBoolean()) {
                values.put(entry.getKey(), value.asBoolean());
            } else if (value.isIntegralNumber() && value.canConvertToLong()) {
                values.put(entry.getKey(), value.asLong());
            } else if (value.isNumber()) {
                values.put(entry.getKey(), value.asDouble());
            } else {
                error(at, "expected a string, number, boolean or null");
            }
        }
        return values;
    }

    public void onlyKnown(JsonNode node, String path, Set<String> known) {
        node.fieldNames().forEachRemaining(name -> {
            if (!known.contains(name)) {
                error(path.isEmpty() ? name : path + "." + name, "unknown field (expected one of " + known + ")");
            }
        });
    }

    public void error(String field, String message) {
        if (errors.size() < MAX_ERRORS) {
            errors.add(new FieldError(field, message));
        } else {
            unreported++;
        }
    }

    /** Throws {@link InvalidDocumentException} with the errors recorded so far (at most {@link #MAX_ERRORS}), if any. */
    public void throwIfInvalid() {
        if (!errors.isEmpty()) {
            List<FieldError> reported = new ArrayList<>(errors);
            if (unreported > 0) {
                reported.add(new FieldError("$", unreported + " more errors not listed"));
            }
            throw new InvalidDocumentException(reported);
        }
    }

    public boolean hasErrors() {
        return !errors.isEmpty();
    }

    /** How many errors were found so far: a reader compares it before and after one part. */
    public int errorCount() {
        return errors.size() + unreported;
    }
}
