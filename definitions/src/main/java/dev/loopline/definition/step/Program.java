package dev.loopline.definition.step;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loopline.api.v1.Step;

/**
 * The flat program a definition compiles to, as a {@link StepType} writes to it: instructions in
 * order, a program counter's targets as indexes. Jumps go forward, so an instance runs each
 * instruction at most once per run; only the end of a compensation goes back, to the next older
 * compensation, each of which runs once.
 */
public interface Program {

    /** Appends an instruction of this type for the document step named, and returns it to fill in. */
    Step.Builder emit(String stepName, String type);

    /** The index the next instruction will get: the target of a jump past what is emitted so far. */
    int next();

    /** Compiles nested steps (a branch) in place; their errors carry this path. */
    void steps(JsonNode steps, String path);

    /**
     * A parallel step starts compiling its branches; false if it is itself inside a branch of one
     * (they do not nest, so that an instance's record holds a bounded number of waits).
     */
    boolean enterBranches();

    /** The parallel step's branches are compiled. */
    void leaveBranches();

    /**
     * The step's {@code timeout}, and its {@code onTimeout} steps: they run instead of the rest when
     * the wait times out (the wait's target); without them, a timeout fails the instance.
     *
     * <pre>
     *   n    the wait (target → n+2)
     *   n+1  JUMP → past the branch
     *   n+2  the onTimeout steps …
     * </pre>
     */
    default void timeoutBranch(StepDocument step, Step.Builder wait) {
        Long timeout = step.durationMillis("timeout");
        wait.setTimeoutMillis(timeout);
        JsonNode onTimeout = step.array("onTimeout", false);
        if (onTimeout == null) {
            wait.setTarget(-1);
            return;
        }
        if (timeout == null) {
            step.error("onTimeout", "needs a timeout");
        }
        Step.Builder skip = emit(step.name(), JumpStep.TYPE);
        wait.setTarget(next());
        steps(onTimeout, step.path("onTimeout"));
        skip.setTarget(next());
    }

    /**
     * The step's {@code compensation}: a message, or steps, that undo what the step did. They run
     * only if the instance fails after the step succeeded: the compensations of every succeeded step,
     * newest first, each through the message loop (see {@code EndCompensationStep}).
     *
     * <pre>
     *   n    the step (compensation → n+2)
     *   n+1  JUMP → past the compensation
     *   n+2  the compensation's message or steps …
     *   k    END-COMPENSATION: on to the next compensation, or the instance fails
     * </pre>
     */
    default void compensationBranch(StepDocument step, Step.Builder instruction) {
        JsonNode compensation = step.raw("compensation");
        if (compensation == null) {
            return;
        }
        Step.Builder skip = emit(step.name(), JumpStep.TYPE);
        instruction.setCompensation(next());
        if (compensation.isArray()) {
            steps(compensation, step.path("compensation"));
        } else if (compensation.isObject()) {
            StepDocument message = step.nested("compensation", true).named(step.name() + "_compensation");
            message.onlyKnown(java.util.Set.of("messageName", "payload", "timeout"));
            SendMessageStep.message(message, this, SendMessageStep.TYPE);
        } else {
            step.error("compensation", "expected a message ({\"messageName\": ...}) or a list of steps");
        }
        emit(step.name(), EndCompensationStep.TYPE);
        skip.setTarget(next());
    }
}
