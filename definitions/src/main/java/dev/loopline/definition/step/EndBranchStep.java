package dev.loopline.definition.step;

import dev.loopline.api.v1.Step;

/**
 * {@code end-branch}, compiled at the end of each branch of a parallel step: the branch
 * succeeded. If that meets the step's join, the open branches are canceled and the program goes on
 * after the step; otherwise the instance waits for the others.
 */
final class EndBranchStep implements StepBehavior {

    static final String TYPE = "end-branch";

    @Override
    public String name() {
        return TYPE;
    }

    @Override
    public Next start(Step step, StepContext context) {
        return context.endBranch(null);
    }
}
