package dev.loopline.definition;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.loopline.api.v1.DefinitionStatus;
import dev.loopline.api.v1.Step;
import dev.loopline.api.v1.StepKind;
import dev.loopline.api.v1.Trigger;
import dev.loopline.api.v1.WorkflowDefinition;
import dev.loopline.definition.json.FieldError;
import dev.loopline.definition.json.InvalidDocumentException;
import dev.loopline.definition.json.JsonFields;
import dev.loopline.definition.step.Program;
import dev.loopline.definition.step.StepDocument;
import dev.loopline.definition.step.StepType;
import dev.loopline.definition.step.StepTypes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads a definition document (JSON, see {@code definition.schema.json}), validates it with errors
 * that point at the field ({@code steps[3].timeout: expected ISO-8601 duration such as PT30S or
 * P7D}) and compiles its nested steps into the flat program the runtime executes.
 *
 * <p>Each kind of step compiles itself ({@link StepType}, found in {@link StepTypes} by its {@code
 * kind}); nested steps compile in place, and conditions and timeout branches become forward jumps
 * (see {@code ConditionStep} and {@link Program#timeoutBranch}).
 * Jumps go forward (but from the end of a compensation, see {@link Program}), so a run executes
 * at most as many instructions as the program has.
 */
public final class DefinitionCompiler {

    /** Platform messages the seeds name; any other non-empty name is a custom message. */
    public static final Set<String> PLATFORM_MESSAGES = Set.of(
            "Create",
            "Update",
            "Delete",
            "Assign",
            "SetState",
            "TaskCreated",
            "TaskChanged",
            "TaskDeleted",
            "ItemCreated",
            "ItemChanged",
            "ItemDeleted",
            "ItemCheckedIn",
            "ItemCheckedOut",
            "ItemUncheckedOut");

    /** Strict: a duplicate key is an error, not silently the last one. */
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private static final Set<String> DOCUMENT_FIELDS =
            Set.of("id", "name", "description", "trigger", "onDemand", "steps");
    private static final Set<String> TRIGGER_FIELDS =
            Set.of("entityType", "messageName", "filter", "changedAttributes", "condition", "rank");

    /**
     * Compiles a small definition {@code times} times, so that the first definitions deployed do
     * not pay for loading the expression compiler and running it before the JIT has compiled it:
     * about a second for a definition at the limits on a small machine, against a few hundred
     * milliseconds once warm (README, "Security").
     */
    public void warmUp(int times) {
        for (int i = 0; i < times; i++) {
            compile("""
                    {"id":"warm-up","name":"warm-up",
                     "trigger":{"entityType":"invoice","messageName":"Create","condition":"trigger.attributes.amount > %d"},
                     "steps":[{"name":"check","kind":"condition","branches":[{"when":
                       "has(trigger.attributes.amount) && trigger.entityId.matches('^[A-Z]+-[0-9]+$')",
                       "steps":[{"name":"notify","kind":"send-message","messageName":"Notify",
                                 "payload":{"amount":"=trigger.attributes.amount * 2"}}]}]},
                      {"name":"done","kind":"stop"}]}
                    """.formatted(i), Instant.EPOCH);
        }
    }

    /**
     * Parses and compiles a document; the result is a Draft with version 0 (the repository sets the
     * version). Every {@link DefinitionLimits limit} is checked here.
     */
    public WorkflowDefinition compile(String document, Instant now) {
        if (document.length() > DefinitionLimits.MAX_DOCUMENT_BYTES
                || document.getBytes(StandardCharsets.UTF_8).length > DefinitionLimits.MAX_DOCUMENT_BYTES) {
            throw new InvalidDocumentException(List.of(new FieldError(
                    "$", "the document is larger than " + DefinitionLimits.MAX_DOCUMENT_BYTES + " bytes")));
        }
        JsonNode root;
        try {
            root = JSON.readTree(document);
        } catch (JsonProcessingException e) {
            throw new InvalidDocumentException(
                    List.of(new FieldError("$", "malformed JSON: " + e.getOriginalMessage())));
        }
        if (root == null || !root.isObject()) {
            throw new InvalidDocumentException(List.of(new FieldError("$", "expected a JSON object")));
        }
        Compilation compilation = new Compilation();
        JsonFields fields = compilation.fields;
        fields.onlyKnown(root, "", DOCUMENT_FIELDS);
        String id = fields.text(root, "id", "id", true);
        if (id != null && !id.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,127}")) {
            fields.error(
                    "id", "expected letters, digits, '.', '_' or '-' (at most 128), starting with a letter or digit");
        }
        String name = fields.text(root, "name", "name", true);
        JsonNode onDemand = fields.object(root, "onDemand", "onDemand", false);
        String inputs = onDemand == null ? null : OnDemandInputs.compile(fields, onDemand);
        Trigger trigger = trigger(fields, root, onDemand != null);
        JsonNode steps = fields.array(root, "steps", "steps", true);
        if (steps != null) {
            if (steps.isEmpty()) {
                fields.error("steps", "expected at least one step");
            }
            compilation.steps(steps, "steps");
        }
        fields.throwIfInvalid();
        WorkflowDefinition compiled = WorkflowDefinition.newBuilder()
                .setId(id)
                .setVersion(0)
                .setName(name)
                .setStatus(DefinitionStatus.DRAFT)
                .setTrigger(trigger)
                .setSteps(compilation.program.stream().map(Step.Builder::build).toList())
                .setUpdatedAt(now)
                .setDocument(root.toString())
                .setOnDemandInputs(inputs)
                .build();
        int bytes = encodedSize(compiled);
        if (bytes > DefinitionLimits.MAX_COMPILED_BYTES) {
            throw new InvalidDocumentException(List.of(new FieldError(
                    "$",
                    "compiles to " + bytes + " bytes, more than " + DefinitionLimits.MAX_COMPILED_BYTES
                            + ": use fewer or shorter steps")));
        }
        return compiled;
    }

    private static int encodedSize(WorkflowDefinition definition) {
        try {
            return definition.toByteBuffer().remaining();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The trigger: the entity type the definition runs on, and the events that start it. A
     * definition that may be started on demand needs no message name: then no event starts it.
     */
    private static Trigger trigger(JsonFields fields, JsonNode root, boolean onDemand) {
        JsonNode node = fields.object(root, "trigger", "trigger", true);
        if (node == null) {
            return null;
        }
        fields.onlyKnown(node, "trigger", TRIGGER_FIELDS);
        String entityType = fields.text(node, "entityType", "trigger.entityType", true);
        String messageName = fields.text(node, "messageName", "trigger.messageName", !onDemand);
        Map<String, Object> filter = fields.scalars(node, "filter", "trigger.filter");
        List<String> changed = fields.strings(node, "changedAttributes", "trigger.changedAttributes");
        if (!changed.isEmpty() && !"Update".equals(messageName)) {
            fields.error("trigger.changedAttributes", "only applies to the Update message");
        }
        String condition = StepDocument.checkedExpression(fields, node, "condition", "trigger.condition", false);
        int rank = 0;
        if (node.has("rank")) {
            Integer value = fields.nonNegativeInt(node, "rank", "trigger.rank");
            rank = value == null ? 0 : value;
        }
        return Trigger.newBuilder() // a missing field is an error already; build, and report them together
                .setEntityType(entityType == null ? "" : entityType)
                .setMessageName(messageName == null ? "" : messageName)
                .setFilter(filter)
                .setChangedAttributes(changed)
                .setCondition(condition)
                .setRank(rank)
                .build();
    }

    /** One compilation: the program built so far and the errors found. */
    private static final class Compilation implements Program {
        private final JsonFields fields = new JsonFields();
        private final List<Step.Builder> program = new ArrayList<>();
        private final Set<String> names = new HashSet<>();
        private int depth;
        private int parallelDepth;
        private boolean tooLong;

        @Override
        public void steps(JsonNode steps, String path) {
            if (depth == DefinitionLimits.MAX_NESTING) {
                fields.error(path, "steps nest more than " + DefinitionLimits.MAX_NESTING + " levels deep");
                return;
            }
            depth++;
            for (int i = 0; i < steps.size() && !tooLong; i++) {
                step(steps.get(i), path + "[" + i + "]");
            }
            depth--;
        }

        private void step(JsonNode node, String path) {
            if (node == null || !node.isObject()) {
                fields.error(path, "expected a step object");
                return;
            }
            String name = fields.text(node, "name", path + ".name", true);
            if (name != null && !name.matches("[A-Za-z_][A-Za-z0-9_]{0,63}")) {
                fields.error(path + ".name", "expected an identifier (letters, digits, '_'), usable as steps.<name>");
            } else if ("started".equals(name)) {
                fields.error(path + ".name", "'started' is reserved for the workflow-started acknowledgement's output");
            } else if (name != null && !names.add(name)) {
                fields.error(path + ".name", "duplicate step name '" + name + "'");
            }
            String kind = fields.text(node, "kind", path + ".kind", true);
            if (kind == null) {
                return;
            }
            StepType type = StepTypes.type(kind);
            if (type == null) {
                fields.error(path + ".kind", "expected one of " + StepTypes.kinds());
                return;
            }
            fields.onlyKnown(node, path, StepTypes.fields(kind));
            type.compile(new StepDocument(node, name == null ? "step" : name, path, fields), this);
        }

        /**
         * Appends an instruction; past the limit, records the error once and stops compiling. A type
         * the closed {@code StepKind} enum names is written as that kind alone, any other as UNKNOWN
         * and its type, so that a runtime older than the type fails the step rather than misread it.
         */
        @Override
        public Step.Builder emit(String name, String type) {
            StepKind kind = StepTypes.legacyKind(type);
            Step.Builder step = Step.newBuilder()
                    .setName(name)
                    .setKind(kind)
                    .setType(kind == StepKind.UNKNOWN ? type : "") // the kind names it: keep snapshots small
                    .setMessageName("");
            program.add(step);
            if (program.size() > DefinitionLimits.MAX_INSTRUCTIONS && !tooLong) {
                tooLong = true;
                fields.error(
                        "steps",
                        "compiles to more than " + DefinitionLimits.MAX_INSTRUCTIONS
                                + " instructions (steps, branch tests and jumps)");
            }
            return step;
        }

        @Override
        public int next() {
            return program.size();
        }

        @Override
        public boolean enterBranches() {
            return parallelDepth++ == 0;
        }

        @Override
        public void leaveBranches() {
            parallelDepth--;
        }
    }
}
