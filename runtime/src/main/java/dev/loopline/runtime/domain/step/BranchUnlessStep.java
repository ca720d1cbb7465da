package dev.loopline.runtime.domain.step;

import dev.loopline.api.v1.Step;

/** {@code BRANCH_UNLESS}, compiled from a condition: on to the next step if it holds, else to the target. */
final class BranchUnlessStep implements StepBehavior {

    @Override
    public Next start(Step step, StepContext context) {
        return context.test(step.getExpression()) ? Next.following(context) : Next.goTo(step.getTarget());
    }
}
