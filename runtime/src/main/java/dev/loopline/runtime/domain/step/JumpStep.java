package dev.loopline.runtime.domain.step;

import dev.loopline.api.v1.Step;

/** {@code JUMP}, compiled from the end of a branch: on to the target. */
final class JumpStep implements StepBehavior {

    @Override
    public Next start(Step step, StepContext context) {
        return Next.goTo(step.getTarget());
    }
}
