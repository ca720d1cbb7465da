package dev.loopline.runtime.domain.step;

import dev.loopline.api.v1.Step;

/**
 * {@code set-variable}: sets {@code vars.<variable>} to an expression's value. The value is checked
 * against the instance limits at once, not only when the run ends: a loop that doubles a text must
 * stop here.
 */
final class SetVariableStep implements StepBehavior {

    @Override
    public Next start(Step step, StepContext context) {
        context.setVariable(step.getVariable(), context.value(step.getExpression()));
        return Next.following(context);
    }
}
