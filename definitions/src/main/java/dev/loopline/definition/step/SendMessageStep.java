package dev.loopline.definition.step;

import dev.loopline.api.v1.MessageKind;
import dev.loopline.api.v1.Step;

/**
 * {@code send-message}: posts a message to the application and waits for its acknowledgement; the
 * acknowledgement's output becomes the step's. Without an acknowledgement by the timeout, the
 * instance fails. It may declare a {@code compensation} that undoes it if the instance fails later.
 */
final class SendMessageStep implements StepType, StepBehavior {

    static final String TYPE = "send-message";

    @Override
    public String name() {
        return TYPE;
    }

    @Override
    public String schema() {
        return """
                {"properties": {
                   "messageName": {"type": "string", "minLength": 1},
                   "payload": {"$ref": "#/$defs/scalars"},
                   "timeout": {"$ref": "#/$defs/duration"},
                   "compensation": {"$ref": "#/$defs/compensation"}},
                 "required": ["messageName"]}
                """;
    }

    @Override
    public void compile(StepDocument step, Program program) {
        program.compensationBranch(step, message(step, program, TYPE));
    }

    /** A message step's instruction: its message name, payload and acknowledgement timeout. */
    static Step.Builder message(StepDocument step, Program program, String type) {
        Step.Builder instruction = program.emit(step.name(), type);
        String message = step.text("messageName", true);
        instruction.setMessageName(message == null ? "" : message);
        step.payload(instruction);
        instruction.setTimeoutMillis(step.durationMillis("timeout"));
        return instruction;
    }

    @Override
    public Next start(Step step, StepContext context) {
        context.post(
                MessageKind.STEP_REQUEST,
                step.getMessageName(),
                context.payload(step),
                null,
                null,
                Timeouts.dueAt(step, context));
        return Next.halt();
    }
}
