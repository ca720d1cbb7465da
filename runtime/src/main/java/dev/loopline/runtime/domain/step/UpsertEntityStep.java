package dev.loopline.runtime.domain.step;

import dev.loopline.api.v1.MessageKind;
import dev.loopline.api.v1.Step;

/**
 * {@code upsert-entity}: asks the application to create or change an entity, and waits for its
 * acknowledgement. The message carries the causation that the loop guard follows into the event the
 * change produces.
 */
final class UpsertEntityStep implements StepBehavior {

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
