package dev.loopline.definition.step;

import dev.loopline.api.v1.Step;

/**
 * {@code end-compensation}, compiled after each step's compensation: the compensation of the next
 * older succeeded step runs, or, when none is left, the instance completes Failed with the failure
 * that started the compensations.
 */
final class EndCompensationStep implements StepBehavior {

    static final String TYPE = "end-compensation";

    @Override
    public String name() {
        return TYPE;
    }

    @Override
    public Next start(Step step, StepContext context) {
        return context.compensateNext();
    }
}
