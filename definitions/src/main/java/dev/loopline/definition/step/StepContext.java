package dev.loopline.definition.step;

import dev.loopline.api.v1.MessageKind;
import dev.loopline.api.v1.Step;
import java.time.Instant;
import java.util.Map;

/**
 * What a {@link StepBehavior} may read and do while the instance runs one of its steps. The state
 * machine implements it over the decision it accumulates: everything a step does here is committed
 * with the rest of that decision, or not at all. Expressions that fail throw, and fail the step with
 * their message.
 */
public interface StepContext {

    /** The step's index in the definition's program. */
    int pc();

    /** The time of the input being applied: a step never reads a clock. */
    Instant now();

    /** The value of an expression over the instance's variables (trigger, steps' outputs, vars). */
    Object value(String expression);

    /** Whether a condition holds over the instance's variables. */
    boolean test(String expression);

    /** An expression's value as a point in time. */
    Instant instant(String expression);

    /** An expression's value as a key or id: a text without control characters, never null. */
    String key(String expression);

    /** The step's payload: its constant fields and its payload expressions' values. */
    Map<String, Object> payload(Step step);

    /** The step's attempt: 0, then raised by each retry and each resume that runs it again. */
    int attempt();

    /** The id of the task this step creates, the same on every attempt. */
    String taskId();

    /**
     * Posts a message to the application under the step's message id (a new one on each attempt)
     * and suspends the instance until its acknowledgement, or until {@code dueAt} (null: no timeout).
     *
     * @param entityType the entity the message is about; null: the trigger's
     * @param entityId with {@code entityType}
     */
    void post(
            MessageKind kind,
            String messageName,
            Map<String, Object> payload,
            String entityType,
            String entityId,
            Instant dueAt);

    /**
     * Suspends the instance until an event the step's {@code event} names arrives on the entity
     * whose key field has this value, or until {@code dueAt} (null: no timeout).
     */
    void waitForEvent(Step step, String keyValue, Instant dueAt);

    /** Suspends the instance until {@code dueAt}. */
    void waitForTimer(Step step, Instant dueAt);

    /** Sets a workflow variable ({@code vars.<name>}); a value over the instance limits fails the run. */
    void setVariable(String name, Object value);

    /** Records a step's output as the variables {@code steps.<step>.<key>}. */
    void recordOutput(String stepName, Map<String, Object> output);

    /**
     * Writes an entry to the instance's audit trail: an In-progress transition at this step, with
     * the entry (cut to the instance's text limit) as its reason, in the history and on the
     * transitions topic.
     */
    void audit(String entry);

    /**
     * Starts an instance of another active definition that may be started on demand, on an entity
     * (null: the trigger's entity type and id), with initiation data, and goes on without waiting
     * for it, unless {@code waits} (a call). The child is one level deeper in the chain of causes that loop protection bounds; the
     * event half checks its data against the child's input schema, and starts nothing if it is not
     * active or the data does not fit. The child instance's id.
     */
    String startWorkflow(
            String definitionId, String entityType, String entityId, Map<String, Object> inputs, boolean waits);

    /** Suspends the instance until the child instance it started completes. */
    void waitForChild(Step step, String childInstanceId);

    /**
     * While the instance undoes its succeeded steps: on to the next older step's compensation, or,
     * when none is left, the instance completes Failed with the failure that started them. Outside a
     * compensation the instance fails: the program is broken.
     */
    Next compensateNext();

    /**
     * Starts the branches of a parallel step, each at its start, and suspends the instance until
     * they meet the step's join. A branch runs until its first wait or its end; a join met at once
     * goes on at once.
     */
    void fork(Step step);

    /**
     * The branch being run reached its end: it succeeded, with this result if it has one (an
     * approval's work item: its outcome). The step's {@link StepBehavior#join} decides what the
     * instance does next. Outside a branch the instance fails: the program is broken.
     */
    Next endBranch(String result);

    /** The work item of the branch being run (an approval's), or null. */
    dev.loopline.api.v1.WorkItem workItem();

    /**
     * Sets the work item of the branch being run: it is open, for its assignee, until the branch
     * ends; the instance's transitions list it.
     */
    void assign(dev.loopline.api.v1.WorkItem item);

    /** Cancels the open branches of the parallel step (their waits, timers and children), for this reason. */
    void cancelBranches(String reason);

    /** Completes the instance: Succeeded, or Canceled. */
    void complete(boolean canceled, String reason);
}
