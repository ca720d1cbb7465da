package dev.loopline.definition;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.loopline.definition.json.FieldError;
import dev.loopline.definition.json.JsonFields;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The initiation data of a definition that may be started on demand (Dynamics' on-demand
 * workflows, SharePoint's initiation form): a definition declares its input parameters as a JSON
 * Schema, and a start request's {@code inputs} are checked against it, each error at its field
 * ({@code inputs.amount: must be a number}).
 *
 * <p>Inputs are scalars, like event attributes and variables: each declared property has a type of
 * string, number, integer or boolean. A property the schema does not declare is refused unless the
 * schema says otherwise ({@code additionalProperties}), so that a misspelt input is an error.
 */
public final class OnDemandInputs {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonSchemaFactory FACTORY = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);
    private static final Set<String> SCALAR_TYPES = Set.of("string", "number", "integer", "boolean");
    private static final Set<String> ON_DEMAND_FIELDS = Set.of("inputs");
    /**
     * The keywords an input schema may use. No reference, identifier or meta-schema keyword: a
     * schema must never make the gateway or the runtime load another document (a URL, a file).
     * No pattern: a caller's text must not meet an administrator's regular expression on the
     * stream thread.
     */
    private static final Set<String> SCHEMA_KEYWORDS =
            Set.of("type", "properties", "required", "additionalProperties", "title", "description");

    private static final Set<String> PROPERTY_KEYWORDS = Set.of(
            "type",
            "title",
            "description",
            "enum",
            "const",
            "default",
            "minimum",
            "maximum",
            "exclusiveMinimum",
            "exclusiveMaximum",
            "multipleOf",
            "minLength",
            "maxLength");
    /** Compiled schemas by their text: a definition's schema is compiled once per process, not per request. */
    private static final Map<String, JsonSchema> COMPILED = new ConcurrentHashMap<>();

    /** The most compiled schemas kept; past it the cache starts again (definitions are few). */
    private static final int MAX_COMPILED = 1_024;

    private OnDemandInputs() {}

    /**
     * Reads a document's {@code onDemand} object: the input schema as the definition keeps it (an
     * empty object schema when it declares no inputs), with errors at their paths.
     */
    static String compile(JsonFields fields, JsonNode onDemand) {
        fields.onlyKnown(onDemand, "onDemand", ON_DEMAND_FIELDS);
        return schema(fields, fields.object(onDemand, "inputs", "onDemand.inputs", false), "onDemand.inputs");
    }

    /**
     * A schema of named scalar values as a definition keeps it (an empty object schema when none is
     * declared), checked with errors at {@code at}: on-demand inputs, a dialog page's answers. Null
     * when it is wrong.
     */
    public static String schema(JsonFields fields, JsonNode declared, String at) {
        int errorsBefore = fields.errorCount();
        ObjectNode schema = declared == null ? JSON.createObjectNode() : ((ObjectNode) declared).deepCopy();
        fields.onlyKnown(schema, at, SCHEMA_KEYWORDS);
        JsonNode additional = schema.get("additionalProperties");
        if (additional != null && !additional.isBoolean()) {
            fields.error(at + ".additionalProperties", "expected true or false");
        }
        JsonNode required = schema.get("required");
        if (required != null && (!required.isArray() || !allText(required))) {
            fields.error(at + ".required", "expected a list of input names");
        }
        JsonNode type = schema.get("type");
        if (type != null && !"object".equals(type.asText())) {
            fields.error(at + ".type", "expected \"object\": inputs are named values");
        }
        schema.put("type", "object");
        JsonNode properties = schema.get("properties");
        if (properties != null && !properties.isObject()) {
            fields.error(at + ".properties", "expected an object of input parameters");
        } else if (properties != null) {
            properties.properties().forEach(property -> {
                if (!property.getValue().isObject()) {
                    fields.error(at + ".properties." + property.getKey(), "expected a schema object");
                    return;
                }
                fields.onlyKnown(property.getValue(), at + ".properties." + property.getKey(), PROPERTY_KEYWORDS);
                JsonNode propertyType = property.getValue().get("type");
                if (propertyType == null || !SCALAR_TYPES.contains(propertyType.asText())) {
                    fields.error(
                            at + ".properties." + property.getKey() + ".type",
                            "expected one of " + new java.util.TreeSet<>(SCALAR_TYPES)
                                    + ": inputs are scalars, like attributes");
                }
            });
        }
        if (!schema.has("additionalProperties")) {
            schema.put("additionalProperties", false);
        }
        if (fields.errorCount() > errorsBefore) {
            return null;
        }
        try {
            FACTORY.getSchema(schema).validate(JSON.createObjectNode());
        } catch (RuntimeException e) {
            fields.error(at, "not a JSON Schema this gateway can use: " + e.getMessage());
            return null;
        }
        return schema.toString();
    }

    private static boolean allText(JsonNode array) {
        for (JsonNode item : array) {
            if (!item.isTextual()) {
                return false;
            }
        }
        return true;
    }

    /** What is wrong with an on-demand start's inputs as an event carries them; empty if nothing. */
    public static List<FieldError> checkValues(String schema, Map<String, Object> inputs) {
        JsonNode tree = JSON.valueToTree(inputs);
        return check(schema, tree);
    }

    /** What is wrong with a start request's inputs, each at its path under {@code inputs}; empty if nothing. */
    public static List<FieldError> check(String schema, JsonNode inputs) {
        JsonSchema compiled = COMPILED.get(schema);
        if (compiled == null) {
            if (COMPILED.size() >= MAX_COMPILED) {
                COMPILED.clear();
            }
            try {
                compiled = FACTORY.getSchema(JSON.readTree(schema));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("a definition's input schema is not JSON", e);
            }
            COMPILED.put(schema, compiled);
        }
        List<FieldError> errors = new ArrayList<>();
        for (ValidationMessage message : compiled.validate(inputs)) {
            String location = message.getInstanceLocation().toString().replaceFirst("^\\$", "");
            String field = "inputs" + location;
            if ("required".equals(message.getType()) && message.getProperty() != null) {
                field = field + "." + message.getProperty();
            } else if ("additionalProperties".equals(message.getType()) && message.getProperty() != null) {
                field = field + "." + message.getProperty();
            }
            errors.add(new FieldError(field, message.getError() != null ? message.getError() : message.getMessage()));
        }
        errors.sort(Comparator.comparing(FieldError::field));
        return errors;
    }
}
