package dev.loopline.definition.step;

import dev.loopline.api.internal.ChildCompleted;
import dev.loopline.api.v1.PlatformEvent;
import dev.loopline.api.v1.Step;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * What one type of instruction does, at each point of an instance's life that reaches it. The state
 * machine finds the behaviour of a step in {@link StepTypes} and does the rest: it checks that an
 * input is the one the instance waits for, closes the wait it ends, and commits what the step did.
 *
 * <p>What a step leaves behind is its wait: the machine cancels the wait's timer and closes its
 * correlation entry whenever the instance leaves it (an input, an operator's cancel), whatever the
 * step's type.
 */
public non-sealed interface StepBehavior extends StepPart {

    /** The program counter reached the step: what it does, and where the program goes next. */
    Next start(Step step, StepContext context);

    /**
     * The application acknowledged the step's message as succeeded; its output is recorded already.
     * By default the program goes on with the next step.
     *
     * @param dueAt when the step's wait was to time out (null: never)
     */
    default Next acknowledged(Step step, StepContext context, Instant dueAt) {
        return Next.following(context);
    }

    /**
     * An event the step waits for arrived, and its {@code until} condition, if any, holds. By default
     * the event's attributes, name, id and entity id become the step's output, and the program goes
     * on with the next step.
     */
    default Next eventReceived(Step step, StepContext context, PlatformEvent event) {
        Map<String, Object> output = new HashMap<>(event.getAttributes());
        output.put("messageName", event.getMessageName());
        output.put("eventId", event.getEventId());
        output.put("entityId", event.getEntityId());
        context.recordOutput(step.getName(), output);
        return Next.following(context);
    }

    /**
     * The timer of the step's wait fired. By default the instance fails.
     *
     * @param timedOut what timed out, as the failure's reason
     */
    default Next timerFired(Step step, StepContext context, String timedOut) {
        return Next.fail(timedOut);
    }

    /**
     * The child workflow the step waits for completed. By default the instance fails: only a step
     * that waits for a child expects this.
     */
    default Next childCompleted(Step step, StepContext context, ChildCompleted child) {
        return Next.fail("no child workflow was expected here");
    }

    /**
     * For steps that fork branches ({@link StepContext#fork}): whether their join is decided, after
     * a branch ended. Empty: the instance waits for the open branches. Otherwise the open branches
     * are canceled and the program goes where the result says (a failure fails the step). By
     * default the step fails: only a step that forks expects this.
     */
    default java.util.Optional<Next> join(
            Step step, StepContext context, java.util.List<dev.loopline.api.internal.BranchState> branches) {
        return java.util.Optional.of(Next.fail("no branches were expected here"));
    }

    /**
     * For steps with an {@code onTimeout} branch (a jump target): the step's output says it timed
     * out and the program goes on there; without one, the instance fails.
     */
    static Next timeoutBranch(Step step, StepContext context, String timedOut) {
        if (step.getTarget() < 0) {
            return Next.fail(timedOut);
        }
        context.recordOutput(step.getName(), Map.of("timedOut", true));
        return Next.goTo(step.getTarget());
    }
}
