package dev.loopline.runtime.domain.step;

import dev.loopline.api.v1.Step;

/**
 * {@code wait-for-event}: waits for a platform event on the entity whose key field matches the
 * step's key expression; the event's attributes become the step's output. When the timeout passes,
 * the {@code onTimeout} branch runs, or the instance fails.
 */
final class WaitForEventStep implements StepBehavior {

    @Override
    public Next start(Step step, StepContext context) {
        String key = context.key(step.getEvent().getKeyExpression());
        context.waitForEvent(step, key, Timeouts.dueAt(step, context));
        return Next.halt();
    }

    @Override
    public Next timerFired(Step step, StepContext context, String timedOut) {
        return StepBehavior.timeoutBranch(step, context, timedOut);
    }
}
