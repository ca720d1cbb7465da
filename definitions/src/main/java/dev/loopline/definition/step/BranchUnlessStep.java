package dev.loopline.definition.step;

import dev.loopline.api.v1.Step;

/** {@code branch-unless}, compiled from a condition: on to the next step if it holds, else to the target. */
final class BranchUnlessStep implements StepBehavior {

    static final String TYPE = "branch-unless";

    @Override
    public String name() {
        return TYPE;
    }

    @Override
    public Next start(Step step, StepContext context) {
        return context.test(step.getExpression()) ? Next.following(context) : Next.goTo(step.getTarget());
    }
}
