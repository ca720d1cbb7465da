package dev.loopline.runtime.domain.step;

import dev.loopline.api.v1.Step;

/** {@code stop}: completes the instance as Succeeded, or Canceled. */
final class StopStep implements StepBehavior {

    @Override
    public Next start(Step step, StepContext context) {
        context.complete("CANCELED".equals(step.getStopStatus()), "stopped by step " + step.getName());
        return Next.halt();
    }
}
