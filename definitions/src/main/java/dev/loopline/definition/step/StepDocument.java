package dev.loopline.definition.step;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loopline.api.v1.Step;
import dev.loopline.definition.OnDemandInputs;
import dev.loopline.definition.expression.ExpressionException;
import dev.loopline.definition.expression.Expressions;
import dev.loopline.definition.json.JsonFields;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One step of a definition document, as its {@link StepType} reads it: each field by name, with
 * errors recorded at the field's path ({@code steps[3].timeout}) rather than thrown, so that one
 * compilation reports every error of a document.
 */
public final class StepDocument {

    private final JsonNode node;
    private final String name;
    private final String path;
    private final JsonFields fields;

    public StepDocument(JsonNode node, String name, String path, JsonFields fields) {
        this.node = node;
        this.name = name;
        this.path = path;
        this.fields = fields;
    }

    /** The step's name: every instruction it compiles to carries it. */
    public String name() {
        return name;
    }

    /** The path of one of its fields, for errors: {@code steps[3].timeout}. */
    public String path(String field) {
        return path + "." + field;
    }

    /** A field's JSON as written, or null when absent: for a field that may take more than one shape. */
    public JsonNode raw(String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value;
    }

    public boolean has(String field) {
        return node.has(field);
    }

    /** Records an error on one of the step's fields. */
    public void error(String field, String message) {
        fields.error(field.isEmpty() ? path : path(field), message);
    }

    /** A non-empty text, or null (an error if required). */
    public String text(String field, boolean required) {
        return fields.text(node, field, path(field), required);
    }

    /** A non-empty text, or {@code otherwise} when the field is absent. */
    public String text(String field, String otherwise) {
        return node.has(field) ? fields.text(node, field, path(field), true) : otherwise;
    }

    /** One name or a list of names (at least one). */
    public List<String> names(String field) {
        List<String> names = fields.strings(node, field, path(field));
        if (names.isEmpty()) {
            error(field, "is required (a name or a list of names)");
        }
        return names;
    }

    /** An ISO-8601 duration in milliseconds, or null when absent or wrong. */
    public Long durationMillis(String field) {
        Duration duration = fields.duration(node, field, path(field));
        return duration == null ? null : duration.toMillis();
    }

    /** A CEL expression, checked to compile; null when absent (an error if required) or wrong. */
    public String expression(String field, boolean required) {
        return checkedExpression(fields, node, field, path(field), required);
    }

    public JsonNode array(String field, boolean required) {
        return fields.array(node, field, path(field), required);
    }

    /** A nested object; read its fields with {@link #nested}. */
    public StepDocument nested(String field, boolean required) {
        JsonNode object = fields.object(node, field, path(field), required);
        return object == null ? null : new StepDocument(object, name, path(field), fields);
    }

    /** The same document under another name: the instructions it compiles to carry that name. */
    public StepDocument named(String otherName) {
        return new StepDocument(node, otherName, path, fields);
    }

    /** An object inside the step, such as an element of one of its arrays, read like the step itself. */
    public StepDocument within(JsonNode object, String field) {
        return new StepDocument(object, name, path(field), fields);
    }

    /**
     * A JSON Schema of named scalar values in one of the step's fields (as on-demand inputs have),
     * checked, as a JSON text: an empty object schema when the field is absent, null when wrong.
     */
    public String valuesSchema(String field) {
        JsonNode declared = fields.object(node, field, path(field), false);
        return OnDemandInputs.schema(fields, declared, path(field));
    }

    /** Reports every field of this object not in {@code known}. */
    public void onlyKnown(java.util.Set<String> known) {
        fields.onlyKnown(node, path, known);
    }

    /** The step's {@code payload}: literal values, and values starting with "=" as CEL expressions. */
    public void payload(Step.Builder instruction) {
        payload("payload", instruction);
    }

    /** Named values read like a payload, from another field of the step, into the instruction's payload. */
    public void payload(String field, Step.Builder instruction) {
        Map<String, Object> literal = fields.scalars(node, field, path(field));
        Map<String, Object> values = new HashMap<>();
        Map<String, String> computed = new HashMap<>();
        literal.forEach((key, value) -> {
            if (value instanceof String text && text.startsWith("=")) {
                String source = text.substring(1);
                try {
                    Expressions.check(source);
                    computed.put(key, source);
                } catch (ExpressionException e) {
                    fields.error(path(field) + "." + key, e.getMessage());
                }
            } else {
                values.put(key, value);
            }
        });
        instruction.setPayload(values);
        instruction.setPayloadExpressions(computed);
    }

    /** A CEL expression of any JSON object, checked to compile. */
    public static String checkedExpression(
            JsonFields fields, JsonNode node, String field, String path, boolean required) {
        String source = fields.text(node, field, path, required);
        if (source != null) {
            try {
                Expressions.check(source);
            } catch (ExpressionException e) {
                fields.error(path, e.getMessage());
                return null;
            }
        }
        return source;
    }
}
