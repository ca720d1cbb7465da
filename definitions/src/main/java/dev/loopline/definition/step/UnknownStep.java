package dev.loopline.definition.step;

import dev.loopline.api.v1.Step;

/**
 * An instruction type this runtime does not know: one added by a newer version (whose closed
 * {@code StepKind} reads as UNKNOWN, and whose type has no behaviour here). The instance fails
 * rather than guess what the step means.
 */
final class UnknownStep implements StepBehavior {

    @Override
    public String name() {
        return "unknown";
    }

    @Override
    public Next start(Step step, StepContext context) {
        return Next.fail("the step's kind is unknown to this runtime: the definition was written by a newer Loopline");
    }
}
