package dev.loopline.definition.step;

import dev.loopline.api.internal.ChildCompleted;
import dev.loopline.api.v1.Step;
import java.util.HashMap;
import java.util.Map;

/**
 * {@code call-workflow}: starts an instance of another definition that may be started on demand,
 * as {@code start-workflow} does, and waits for it. When the child succeeds, its workflow variables
 * become the step's output ({@code steps.<name>.<variable>}, and {@code steps.<name>.instanceId});
 * when it fails or is canceled, the step fails. Canceling the parent cancels the child.
 */
final class CallWorkflowStep implements StepType, StepBehavior {

    @Override
    public String name() {
        return "call-workflow";
    }

    @Override
    public String schema() {
        return StartWorkflowStep.SCHEMA;
    }

    @Override
    public void compile(StepDocument step, Program program) {
        StartWorkflowStep.call(step, program.emit(step.name(), name()));
    }

    @Override
    public Next start(Step step, StepContext context) {
        context.waitForChild(step, StartWorkflowStep.startChild(step, context, true));
        return Next.halt();
    }

    @Override
    public Next childCompleted(Step step, StepContext context, ChildCompleted child) {
        if (child.getStatusCode() != 30) {
            return Next.fail("child workflow " + child.getChildInstanceId() + " ended with status "
                    + child.getStatusCode() + (child.getReason() == null ? "" : ": " + child.getReason()));
        }
        Map<String, Object> output = new HashMap<>(child.getOutput());
        output.put("instanceId", child.getChildInstanceId());
        context.recordOutput(step.getName(), output);
        return Next.following(context);
    }
}
