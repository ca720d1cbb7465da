package dev.loopline.definition.step;

import dev.loopline.api.v1.MessageKind;
import dev.loopline.api.v1.Step;

/**
 * {@code upsert-entity}: asks the application to create or change an entity, and waits for its
 * acknowledgement. The message carries the causation that the loop guard follows into the event the
 * change produces.
 */
final class UpsertEntityStep implements StepType, StepBehavior {

    @Override
    public String name() {
        return "upsert-entity";
    }

    @Override
    public String schema() {
        return """
                {"properties": {
                   "entityType": {"type": "string", "minLength": 1},
                   "entityId": {"$ref": "#/$defs/expression"},
                   "messageName": {"type": "string", "minLength": 1},
                   "payload": {"$ref": "#/$defs/scalars"},
                   "timeout": {"$ref": "#/$defs/duration"},
                   "compensation": {"$ref": "#/$defs/compensation"}},
                 "required": ["entityType", "entityId", "messageName"]}
                """;
    }

    @Override
    public void compile(StepDocument step, Program program) {
        Step.Builder instruction = SendMessageStep.message(step, program, name());
        instruction.setEntityType(step.text("entityType", true));
        instruction.setEntityIdExpression(step.expression("entityId", true));
        program.compensationBranch(step, instruction);
    }

    @Override
    public Next start(Step step, StepContext context) {
        String entityId = context.key(step.getEntityIdExpression());
        context.post(
                MessageKind.ENTITY_UPSERT,
                step.getMessageName(),
                context.payload(step),
                step.getEntityType(),
                entityId,
                Timeouts.dueAt(step, context));
        return Next.halt();
    }
}
