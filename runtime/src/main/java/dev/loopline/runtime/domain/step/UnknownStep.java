package dev.loopline.runtime.domain.step;

import dev.loopline.api.v1.Step;

/**
 * A step kind this runtime does not know: what Avro reads a kind added by a newer version as. The
 * instance fails rather than guess what the step means.
 */
final class UnknownStep implements StepBehavior {

    @Override
    public Next start(Step step, StepContext context) {
        return Next.fail("the step's kind is unknown to this runtime: the definition was written by a newer Loopline");
    }
}
