package dev.loopline.definition.step;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loopline.api.v1.Step;
import dev.loopline.api.v1.StepKind;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Every kind of step, in one list: a new kind is one class and one line here (see
 * docs/adding-a-step-type.md). The compiler finds a document step's {@link StepType} here by its
 * {@code kind}, and the runtime finds an instruction's {@link StepBehavior} by its type.
 */
public final class StepTypes {

    private static final List<StepPart> ALL = List.of(
            new SendMessageStep(),
            new UpsertEntityStep(),
            new CreateTaskStep(),
            new WaitForEventStep(),
            new DelayStep(),
            new ConditionStep(),
            new BranchUnlessStep(),
            new JumpStep(),
            new SetVariableStep(),
            new StopStep(),
            new LogStep(),
            new StartWorkflowStep(),
            new CallWorkflowStep(),
            new PromptStep(),
            new ParallelStep(),
            new ApprovalStep(),
            new EndCompensationStep(),
            new EndBranchStep(),
            new WorkItemStep());

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final StepBehavior UNKNOWN = new UnknownStep();
    private static final Map<StepKind, String> KIND_TYPES = kindTypes();
    private static final Map<String, StepType> TYPES = index(StepType.class);
    private static final Map<String, StepBehavior> BEHAVIORS = index(StepBehavior.class);
    private static final Map<String, ObjectNode> SCHEMAS = schemas();
    private static final Map<String, Set<String>> FIELDS = fields();

    private StepTypes() {}

    private static <T extends StepPart> Map<String, T> index(Class<T> part) {
        Map<String, T> index = new LinkedHashMap<>();
        for (StepPart each : ALL) {
            if (part.isInstance(each) && index.put(each.name(), part.cast(each)) != null) {
                throw new IllegalStateException("two step types are named " + each.name());
            }
        }
        return Collections.unmodifiableMap(index);
    }

    private static Map<String, ObjectNode> schemas() {
        Map<String, ObjectNode> schemas = new LinkedHashMap<>();
        TYPES.forEach((kind, type) -> {
            try {
                schemas.put(kind, (ObjectNode) JSON.readTree(type.schema()));
            } catch (JsonProcessingException | ClassCastException e) {
                throw new IllegalStateException("the schema of step kind " + kind + " is not a JSON object", e);
            }
        });
        return Collections.unmodifiableMap(schemas);
    }

    private static Map<String, Set<String>> fields() {
        Map<String, Set<String>> fields = new LinkedHashMap<>();
        SCHEMAS.forEach((kind, schema) -> {
            Set<String> names = new TreeSet<>(Set.of("name", "kind"));
            schema.path("properties").fieldNames().forEachRemaining(names::add);
            fields.put(kind, Collections.unmodifiableSet(names));
        });
        return Collections.unmodifiableMap(fields);
    }

    /** The kind a document names, or null if there is none of that name. */
    public static StepType type(String kind) {
        return TYPES.get(kind);
    }

    /** The kinds a document may name, in order. */
    public static Set<String> kinds() {
        return new TreeSet<>(TYPES.keySet());
    }

    /** The fields a document step of this kind may have: name, kind and its schema's properties. */
    public static Set<String> fields(String kind) {
        return FIELDS.get(kind);
    }

    /** What an instruction does when it runs; a type this runtime does not know fails its instance. */
    public static StepBehavior behaviorOf(Step step) {
        return BEHAVIORS.getOrDefault(typeOf(step), UNKNOWN);
    }

    /** The instructions the runtime can run, by type. */
    public static Map<String, StepBehavior> behaviors() {
        return BEHAVIORS;
    }

    /**
     * An instruction's type: its {@code type}, or when that is empty (a type the closed {@link
     * StepKind} names) its kind: {@code SEND_MESSAGE} is {@code send-message}.
     */
    public static String typeOf(Step step) {
        return step.getType().isEmpty() ? KIND_TYPES.get(step.getKind()) : step.getType();
    }

    /** Each enum kind's type name, once: every instruction an instance runs asks for it. */
    private static Map<StepKind, String> kindTypes() {
        Map<StepKind, String> types = new EnumMap<>(StepKind.class);
        for (StepKind kind : StepKind.values()) {
            types.put(kind, kind.name().toLowerCase(Locale.ROOT).replace('_', '-'));
        }
        return Collections.unmodifiableMap(types);
    }

    /** The closed {@link StepKind} enum's name for a type, for runtimes that predate types; UNKNOWN if it has none. */
    public static StepKind legacyKind(String type) {
        String name = type.toUpperCase(Locale.ROOT).replace('-', '_');
        for (StepKind kind : StepKind.values()) {
            if (kind.name().equals(name)) {
                return kind;
            }
        }
        return StepKind.UNKNOWN;
    }

    /**
     * The JSON Schema of a document step ({@code $defs.step} in {@code definition.schema.json}): a
     * name, one of the kinds, and exactly the fields of that kind.
     */
    public static ObjectNode stepSchema() {
        ObjectNode step = JSON.createObjectNode();
        step.put("type", "object");
        step.putArray("required").add("name").add("kind");
        ObjectNode properties = step.putObject("properties");
        properties.putObject("name").put("$ref", "#/$defs/name");
        ArrayNode kinds = properties.putObject("kind").putArray("enum");
        TYPES.keySet().forEach(kinds::add);
        ArrayNode oneOf = step.putArray("oneOf");
        SCHEMAS.forEach((kind, own) -> {
            ObjectNode branch = oneOf.addObject();
            ObjectNode fields = branch.putObject("properties");
            fields.put("name", true);
            fields.putObject("kind").put("const", kind);
            own.path("properties").properties().forEach(field -> fields.set(field.getKey(), field.getValue()));
            own.properties().forEach(keyword -> {
                if (!keyword.getKey().equals("properties")) {
                    branch.set(keyword.getKey(), keyword.getValue());
                }
            });
            branch.put("additionalProperties", false);
        });
        return step;
    }
}
