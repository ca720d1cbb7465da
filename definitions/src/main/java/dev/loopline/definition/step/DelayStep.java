package dev.loopline.definition.step;

import dev.loopline.api.v1.Step;
import java.time.Instant;

/**
 * {@code delay}: waits for a duration, or until the time an expression gives; a time already past
 * goes on at once.
 */
final class DelayStep implements StepType, StepBehavior {

    @Override
    public String name() {
        return "delay";
    }

    @Override
    public String schema() {
        return """
                {"properties": {
                   "duration": {"$ref": "#/$defs/duration"},
                   "until": {"$ref": "#/$defs/expression"}},
                 "oneOf": [{"required": ["duration"]}, {"required": ["until"]}]}
                """;
    }

    @Override
    public void compile(StepDocument step, Program program) {
        Step.Builder instruction = program.emit(step.name(), name());
        Long duration = step.durationMillis("duration");
        String until = step.expression("until", false);
        if (step.has("duration") == step.has("until")) {
            step.error("", "a delay needs either a duration or an until expression, not both");
        }
        instruction.setDurationMillis(duration);
        instruction.setExpression(until);
    }

    @Override
    public Next start(Step step, StepContext context) {
        Instant due = step.getDurationMillis() != null
                ? context.now().plusMillis(step.getDurationMillis())
                : context.instant(step.getExpression());
        if (!due.isAfter(context.now())) {
            return Next.following(context);
        }
        context.waitForTimer(step, due);
        return Next.halt();
    }

    /** The delay ended. */
    @Override
    public Next timerFired(Step step, StepContext context, String timedOut) {
        return Next.following(context);
    }
}
