package dev.loopline.runtime.domain.step;

import dev.loopline.api.v1.MessageKind;
import dev.loopline.api.v1.Step;
import java.time.Instant;
import java.util.Map;

/**
 * {@code create-task}: posts a task for a person, then waits for the task's events (TaskChanged,
 * TaskDeleted, as the step's {@code event} names them) on the task's id. One timeout covers both
 * waits; when it passes, the {@code onTimeout} branch runs, or the instance fails.
 */
final class CreateTaskStep implements StepBehavior {

    @Override
    public Next start(Step step, StepContext context) {
        Map<String, Object> payload = context.payload(step);
        payload.put("taskId", context.taskId());
        context.post(
                MessageKind.TASK_CREATED, step.getMessageName(), payload, null, null, Timeouts.dueAt(step, context));
        return Next.halt();
    }

    /** The application created the task: now its events end the step, by the same due time. */
    @Override
    public Next acknowledged(Step step, StepContext context, Instant dueAt) {
        context.waitForEvent(step, context.taskId(), dueAt);
        return Next.halt();
    }

    @Override
    public Next timerFired(Step step, StepContext context, String timedOut) {
        return StepBehavior.timeoutBranch(step, context, timedOut);
    }
}
