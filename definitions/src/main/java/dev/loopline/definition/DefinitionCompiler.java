package dev.loopline.definition;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.loopline.api.v1.DefinitionStatus;
import dev.loopline.api.v1.EventWait;
import dev.loopline.api.v1.Step;
import dev.loopline.api.v1.StepKind;
import dev.loopline.api.v1.Trigger;
import dev.loopline.api.v1.WorkflowDefinition;
import dev.loopline.definition.expression.ExpressionException;
import dev.loopline.definition.expression.Expressions;
import dev.loopline.definition.json.FieldError;
import dev.loopline.definition.json.InvalidDocumentException;
import dev.loopline.definition.json.JsonFields;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads a definition document (JSON, see {@code definition.schema.json}), validates it with errors
 * that point at the field ({@code steps[3].timeout: expected ISO-8601 duration such as PT30S or
 * P7D}) and compiles its nested steps into the flat program the runtime executes.
 *
 * <p>How nesting compiles (a program counter, no call stack):
 *
 * <pre>
 * condition: if c1 {A} else if c2 {B} else {C}      wait with onTimeout {T}
 *   0  BRANCH_UNLESS c1 → 3                           0  WAIT_FOR_EVENT (timeout → 2)
 *   1  A                                              1  JUMP → 3
 *   2  JUMP → 6                                       2  T
 *   3  BRANCH_UNLESS c2 → 6 (or the else part)        3  …
 *   4  B
 *   5  JUMP → 6
 *   6  C …
 * </pre>
 *
 * Jumps only go forward, so every instance runs at most as many instructions as the program has.
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

    /** The entity type of tasks: create-task waits for TaskChanged/TaskDeleted events on it. */
    public static final String TASK_ENTITY_TYPE = "task";

    /** Strict: a duplicate key is an error, not silently the last one. */
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private static final Set<String> DOCUMENT_FIELDS = Set.of("id", "name", "description", "trigger", "steps");
    private static final Set<String> TRIGGER_FIELDS =
            Set.of("entityType", "messageName", "filter", "changedAttributes", "condition", "rank");
    private static final Map<String, Set<String>> STEP_FIELDS = Map.of(
            "send-message", Set.of("name", "kind", "messageName", "payload", "timeout"),
            "create-task", Set.of("name", "kind", "messageName", "payload", "until", "timeout", "onTimeout"),
            "wait-for-event", Set.of("name", "kind", "event", "until", "timeout", "onTimeout"),
            "delay", Set.of("name", "kind", "duration", "until"),
            "condition", Set.of("name", "kind", "branches", "otherwise"),
            "set-variable", Set.of("name", "kind", "variable", "value"),
            "upsert-entity", Set.of("name", "kind", "entityType", "entityId", "messageName", "payload", "timeout"),
            "stop", Set.of("name", "kind", "status"));
    private static final Set<String> EVENT_FIELDS = Set.of("entityType", "messageName", "keyField", "key");

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
        Trigger trigger = trigger(fields, root);
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

    private static Trigger trigger(JsonFields fields, JsonNode root) {
        JsonNode node = fields.object(root, "trigger", "trigger", true);
        if (node == null) {
            return null;
        }
        fields.onlyKnown(node, "trigger", TRIGGER_FIELDS);
        String entityType = fields.text(node, "entityType", "trigger.entityType", true);
        String messageName = fields.text(node, "messageName", "trigger.messageName", true);
        Map<String, Object> filter = fields.scalars(node, "filter", "trigger.filter");
        List<String> changed = fields.strings(node, "changedAttributes", "trigger.changedAttributes");
        if (!changed.isEmpty() && !"Update".equals(messageName)) {
            fields.error("trigger.changedAttributes", "only applies to the Update message");
        }
        String condition = expression(fields, node, "condition", "trigger.condition", false);
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

    private static String expression(JsonFields fields, JsonNode node, String name, String path, boolean required) {
        String source = fields.text(node, name, path, required);
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

    /** One compilation: the program built so far and the errors found. */
    private static final class Compilation {
        private final JsonFields fields = new JsonFields();
        private final List<Step.Builder> program = new ArrayList<>();
        private final Set<String> names = new HashSet<>();
        private int depth;
        private boolean tooLong;

        void steps(JsonNode steps, String path) {
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
            Set<String> known = STEP_FIELDS.get(kind);
            if (known == null) {
                fields.error(path + ".kind", "expected one of " + new java.util.TreeSet<>(STEP_FIELDS.keySet()));
                return;
            }
            fields.onlyKnown(node, path, known);
            String stepName = name == null ? "step" : name;
            switch (kind) {
                case "send-message" -> sendMessage(node, path, stepName, StepKind.SEND_MESSAGE);
                case "upsert-entity" -> upsertEntity(node, path, stepName);
                case "create-task" -> createTask(node, path, stepName);
                case "wait-for-event" -> waitForEvent(node, path, stepName);
                case "delay" -> delay(node, path, stepName);
                case "condition" -> condition(node, path, stepName);
                case "set-variable" -> setVariable(node, path, stepName);
                case "stop" -> stop(node, path, stepName);
                default -> throw new IllegalStateException(kind);
            }
        }

        /** Appends an instruction; past the limit, records the error once and stops compiling. */
        private Step.Builder emit(String name, StepKind kind) {
            Step.Builder step = Step.newBuilder().setName(name).setKind(kind).setMessageName("");
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

        private Step.Builder sendMessage(JsonNode node, String path, String name, StepKind kind) {
            Step.Builder step = emit(name, kind);
            String message = fields.text(node, "messageName", path + ".messageName", true);
            step.setMessageName(message == null ? "" : message);
            payload(node, path, step);
            Duration timeout = fields.duration(node, "timeout", path + ".timeout");
            step.setTimeoutMillis(timeout == null ? null : timeout.toMillis());
            return step;
        }

        private void upsertEntity(JsonNode node, String path, String name) {
            Step.Builder step = sendMessage(node, path, name, StepKind.UPSERT_ENTITY);
            step.setEntityType(fields.text(node, "entityType", path + ".entityType", true));
            step.setEntityIdExpression(expression(fields, node, "entityId", path + ".entityId", true));
        }

        private void createTask(JsonNode node, String path, String name) {
            Step.Builder step = emit(name, StepKind.CREATE_TASK);
            String message = node.has("messageName")
                    ? fields.text(node, "messageName", path + ".messageName", true)
                    : "TaskCreated";
            step.setMessageName(message == null ? "" : message);
            payload(node, path, step);
            step.setEvent(EventWait.newBuilder()
                    .setEntityType(TASK_ENTITY_TYPE)
                    .setMessageNames(List.of("TaskChanged", "TaskDeleted"))
                    .setKeyField("entityId")
                    .setKeyExpression(null)
                    .setUntil(expression(fields, node, "until", path + ".until", false))
                    .build());
            timeoutBranch(node, path, step);
        }

        private void waitForEvent(JsonNode node, String path, String name) {
            Step.Builder step = emit(name, StepKind.WAIT_FOR_EVENT);
            JsonNode event = fields.object(node, "event", path + ".event", true);
            if (event != null) {
                String at = path + ".event";
                fields.onlyKnown(event, at, EVENT_FIELDS);
                String entityType = fields.text(event, "entityType", at + ".entityType", true);
                List<String> messages = fields.strings(event, "messageName", at + ".messageName");
                if (messages.isEmpty()) {
                    fields.error(at + ".messageName", "is required (a name or a list of names)");
                }
                String keyField =
                        event.has("keyField") ? fields.text(event, "keyField", at + ".keyField", true) : "entityId";
                step.setEvent(EventWait.newBuilder()
                        .setEntityType(entityType == null ? "" : entityType)
                        .setMessageNames(messages)
                        .setKeyField(keyField == null ? "entityId" : keyField)
                        .setKeyExpression(expression(fields, event, "key", at + ".key", true))
                        .setUntil(expression(fields, node, "until", path + ".until", false))
                        .build());
            }
            timeoutBranch(node, path, step);
        }

        /** timeout, and onTimeout: steps run instead of the rest when the wait times out. */
        private void timeoutBranch(JsonNode node, String path, Step.Builder wait) {
            Duration timeout = fields.duration(node, "timeout", path + ".timeout");
            wait.setTimeoutMillis(timeout == null ? null : timeout.toMillis());
            JsonNode onTimeout = fields.array(node, "onTimeout", path + ".onTimeout", false);
            if (onTimeout == null) {
                wait.setTarget(-1);
                return;
            }
            if (timeout == null) {
                fields.error(path + ".onTimeout", "needs a timeout");
            }
            Step.Builder skip = emit(wait.getName(), StepKind.JUMP);
            wait.setTarget(program.size());
            steps(onTimeout, path + ".onTimeout");
            skip.setTarget(program.size());
        }

        private void delay(JsonNode node, String path, String name) {
            Step.Builder step = emit(name, StepKind.DELAY);
            Duration duration = fields.duration(node, "duration", path + ".duration");
            String until = expression(fields, node, "until", path + ".until", false);
            if (node.has("duration") == node.has("until")) {
                fields.error(path, "a delay needs either a duration or an until expression, not both");
            }
            step.setDurationMillis(duration == null ? null : duration.toMillis());
            step.setExpression(until);
        }

        private void condition(JsonNode node, String path, String name) {
            JsonNode branches = fields.array(node, "branches", path + ".branches", true);
            List<Step.Builder> exits = new ArrayList<>();
            if (branches != null) {
                if (branches.isEmpty()) {
                    fields.error(path + ".branches", "expected at least one branch");
                }
                for (int i = 0; i < branches.size(); i++) {
                    String at = path + ".branches[" + i + "]";
                    JsonNode branch = branches.get(i);
                    if (!branch.isObject()) {
                        fields.error(at, "expected an object with 'when' and 'steps'");
                        continue;
                    }
                    fields.onlyKnown(branch, at, Set.of("when", "steps"));
                    Step.Builder test = emit(name, StepKind.BRANCH_UNLESS);
                    test.setExpression(expression(fields, branch, "when", at + ".when", true));
                    JsonNode steps = fields.array(branch, "steps", at + ".steps", true);
                    if (steps != null) {
                        steps(steps, at + ".steps");
                    }
                    exits.add(emit(name, StepKind.JUMP));
                    test.setTarget(program.size());
                }
            }
            JsonNode otherwise = fields.array(node, "otherwise", path + ".otherwise", false);
            if (otherwise != null) {
                steps(otherwise, path + ".otherwise");
            }
            exits.forEach(exit -> exit.setTarget(program.size()));
        }

        private void setVariable(JsonNode node, String path, String name) {
            Step.Builder step = emit(name, StepKind.SET_VARIABLE);
            String variable = fields.text(node, "variable", path + ".variable", true);
            if (variable != null && !variable.matches("[A-Za-z_][A-Za-z0-9_]{0,63}")) {
                fields.error(path + ".variable", "expected an identifier, usable as vars.<name>");
            }
            step.setVariable(variable);
            step.setExpression(expression(fields, node, "value", path + ".value", true));
        }

        private void stop(JsonNode node, String path, String name) {
            Step.Builder step = emit(name, StepKind.STOP);
            String status = node.has("status") ? fields.text(node, "status", path + ".status", true) : "succeeded";
            if (status != null && !Set.of("succeeded", "canceled").contains(status)) {
                fields.error(path + ".status", "expected succeeded or canceled");
            }
            step.setStopStatus(status == null ? "SUCCEEDED" : status.toUpperCase(java.util.Locale.ROOT));
        }

        /** Literal values, and values starting with "=" as CEL expressions. */
        private void payload(JsonNode node, String path, Step.Builder step) {
            Map<String, Object> literal = fields.scalars(node, "payload", path + ".payload");
            Map<String, Object> values = new HashMap<>();
            Map<String, String> computed = new HashMap<>();
            literal.forEach((key, value) -> {
                if (value instanceof String text && text.startsWith("=")) {
                    String source = text.substring(1);
                    try {
                        Expressions.check(source);
                        computed.put(key, source);
                    } catch (ExpressionException e) {
                        fields.error(path + ".payload." + key, e.getMessage());
                    }
                } else {
                    values.put(key, value);
                }
            });
            step.setPayload(values);
            step.setPayloadExpressions(computed);
        }
    }
}
