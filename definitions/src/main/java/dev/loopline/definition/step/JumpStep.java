package dev.loopline.definition.step;

import dev.loopline.api.v1.Step;

/** {@code jump}, compiled from the end of a branch: on to the target. */
final class JumpStep implements StepBehavior {

    static final String TYPE = "jump";

    @Override
    public String name() {
        return TYPE;
    }

    @Override
    public Next start(Step step, StepContext context) {
        return Next.goTo(step.getTarget());
    }
}
