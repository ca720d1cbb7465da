package dev.loopline.definition.step;

import dev.loopline.api.v1.Step;
import java.time.Instant;

/** When a step's wait times out: its {@code timeoutMillis} after now, or never. */
final class Timeouts {

    private Timeouts() {}

    static Instant dueAt(Step step, StepContext context) {
        return step.getTimeoutMillis() == null ? null : context.now().plusMillis(step.getTimeoutMillis());
    }
}
