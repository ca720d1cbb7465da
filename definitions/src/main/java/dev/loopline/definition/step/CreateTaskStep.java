package dev.loopline.definition.step;

import dev.loopline.api.v1.EventWait;
import dev.loopline.api.v1.MessageKind;
import dev.loopline.api.v1.Step;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * {@code create-task}: posts a task for a person, then waits for the task's events (TaskChanged,
 * TaskDeleted) on the task's id. One timeout covers both waits; when it passes, the
 * {@code onTimeout} branch runs, or the instance fails.
 */
final class CreateTaskStep implements StepType, StepBehavior {

    /** The entity type of tasks: create-task waits for TaskChanged/TaskDeleted events on it. */
    static final String TASK_ENTITY_TYPE = "task";

    @Override
    public String name() {
        return "create-task";
    }

    @Override
    public String schema() {
        return """
                {"properties": {
                   "messageName": {"type": "string", "minLength": 1},
                   "payload": {"$ref": "#/$defs/scalars"},
                   "until": {"$ref": "#/$defs/expression"},
                   "timeout": {"$ref": "#/$defs/duration"},
                   "onTimeout": {"$ref": "#/$defs/steps"}}}
                """;
    }

    @Override
    public void compile(StepDocument step, Program program) {
        Step.Builder instruction = program.emit(step.name(), name());
        String message = step.text("messageName", "TaskCreated");
        instruction.setMessageName(message == null ? "" : message);
        step.payload(instruction);
        instruction.setEvent(EventWait.newBuilder()
                .setEntityType(TASK_ENTITY_TYPE)
                .setMessageNames(List.of("TaskChanged", "TaskDeleted"))
                .setKeyField("entityId")
                .setKeyExpression(null)
                .setUntil(step.expression("until", false))
                .build());
        program.timeoutBranch(step, instruction);
    }

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
