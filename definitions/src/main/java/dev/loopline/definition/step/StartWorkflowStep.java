package dev.loopline.definition.step;

import dev.loopline.api.v1.Step;
import java.util.Map;

/**
 * {@code start-workflow}: starts an instance of another definition that may be started on demand,
 * with initiation data from expressions, and goes on without waiting for it (a child workflow, fire
 * and forget). By default the child runs on the instance's own entity; {@code entityType} and
 * {@code entityId} name another. The child's id becomes the step's output, {@code
 * steps.<name>.instanceId}.
 */
final class StartWorkflowStep implements StepType, StepBehavior {

    @Override
    public String name() {
        return "start-workflow";
    }

    /** The fields of a step that starts a child, waited for or not. */
    static final String SCHEMA = """
            {"properties": {
               "definition": {"type": "string", "pattern": "^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$"},
               "entityType": {"type": "string", "minLength": 1},
               "entityId": {"$ref": "#/$defs/expression"},
               "inputs": {"$ref": "#/$defs/scalars"}},
             "required": ["definition"]}
            """;

    @Override
    public String schema() {
        return SCHEMA;
    }

    @Override
    public void compile(StepDocument step, Program program) {
        call(step, program.emit(step.name(), name()));
    }

    /** The child's definition, entity and inputs, as start-workflow and call-workflow read them. */
    static void call(StepDocument step, Step.Builder instruction) {
        String definition = step.text("definition", true);
        if (definition != null && !definition.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,127}")) {
            step.error("definition", "expected a definition id");
        }
        instruction.setStartsDefinition(definition);
        instruction.setEntityType(step.text("entityType", false));
        instruction.setEntityIdExpression(step.expression("entityId", false));
        if (step.has("entityType") != step.has("entityId")) {
            step.error("", "entityType and entityId go together: both name the child's entity, or neither");
        }
        step.payload("inputs", instruction);
    }

    @Override
    public Next start(Step step, StepContext context) {
        context.recordOutput(step.getName(), Map.of("instanceId", startChild(step, context, false)));
        return Next.following(context);
    }

    /** Starts the step's child, waited for or not; its instance id. */
    static String startChild(Step step, StepContext context, boolean waits) {
        String entityId = step.getEntityIdExpression() == null ? null : context.key(step.getEntityIdExpression());
        return context.startWorkflow(
                step.getStartsDefinition(), step.getEntityType(), entityId, context.payload(step), waits);
    }
}
