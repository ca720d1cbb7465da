package dev.loopline.definition.step;

import dev.loopline.api.v1.Step;
import java.util.Locale;
import java.util.Set;

/** {@code stop}: completes the instance as Succeeded, or Canceled. */
final class StopStep implements StepType, StepBehavior {

    @Override
    public String name() {
        return "stop";
    }

    @Override
    public String schema() {
        return """
                {"properties": {"status": {"enum": ["succeeded", "canceled"]}}}
                """;
    }

    @Override
    public void compile(StepDocument step, Program program) {
        Step.Builder instruction = program.emit(step.name(), name());
        String status = step.text("status", "succeeded");
        if (status != null && !Set.of("succeeded", "canceled").contains(status)) {
            step.error("status", "expected succeeded or canceled");
        }
        instruction.setStopStatus(status == null ? "SUCCEEDED" : status.toUpperCase(Locale.ROOT));
    }

    @Override
    public Next start(Step step, StepContext context) {
        context.complete("CANCELED".equals(step.getStopStatus()), "stopped by step " + step.getName());
        return Next.halt();
    }
}
