package dev.loopline.runtime.domain.step;

import dev.loopline.api.v1.Step;
import java.time.Instant;

/**
 * {@code delay}: waits for a duration, or until the time an expression gives; a time already past
 * goes on at once.
 */
final class DelayStep implements StepBehavior {

    @Override
    public Next start(Step step, StepContext context) {
        Instant due = step.getDurationMillis() != null
                ? context.now().plusMillis(step.getDurationMillis())
                : context.instant(step.getExpression());
        if (!due.isAfter(context.now())) {
            return Next.following(context);
        }
        context.waitForTimer(step, due);
        return Next.halt();
    }

    /** The delay ended. */
    @Override
    public Next timerFired(Step step, StepContext context, String timedOut) {
        return Next.following(context);
    }
}
