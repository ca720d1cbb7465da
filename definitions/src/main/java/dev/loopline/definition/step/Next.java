package dev.loopline.definition.step;

/**
 * Where the program goes after a step did its part: on to another instruction at once, or nowhere
 * for now (the step opened a wait, or ended the instance), or the instance fails.
 */
public sealed interface Next permits Next.GoTo, Next.Halt, Next.Fail {

    /** Continue at once with the instruction at {@code pc}; past the last one, the instance succeeds. */
    record GoTo(int pc) implements Next {}

    /** The run stops here: the step opened a wait, or completed the instance. */
    record Halt() implements Next {}

    /** The instance fails with this reason. */
    record Fail(String reason) implements Next {}

    static Next goTo(int pc) {
        return new GoTo(pc);
    }

    /** The instruction after the step's. */
    static Next following(StepContext context) {
        return new GoTo(context.pc() + 1);
    }

    static Next halt() {
        return new Halt();
    }

    static Next fail(String reason) {
        return new Fail(reason);
    }
}
