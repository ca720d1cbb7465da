package dev.loopline.runtime.domain.step;

import dev.loopline.api.v1.MessageKind;
import dev.loopline.api.v1.Step;

/**
 * {@code send-message}: posts a message to the application and waits for its acknowledgement; the
 * acknowledgement's output becomes the step's. Without an acknowledgement by the timeout, the
 * instance fails.
 */
final class SendMessageStep implements StepBehavior {

    @Override
    public Next start(Step step, StepContext context) {
        context.post(
                MessageKind.STEP_REQUEST,
                step.getMessageName(),
                context.payload(step),
                null,
                null,
                Timeouts.dueAt(step, context));
        return Next.halt();
    }
}
