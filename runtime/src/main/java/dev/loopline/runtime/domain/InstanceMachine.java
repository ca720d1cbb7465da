package dev.loopline.runtime.domain;

import dev.loopline.api.internal.ChildCompleted;
import dev.loopline.api.internal.DeliverEvent;
import dev.loopline.api.internal.GrantToken;
import dev.loopline.api.internal.InstanceRecord;
import dev.loopline.api.internal.OperatorCommand;
import dev.loopline.api.internal.StartInstance;
import dev.loopline.api.internal.Wait;
import dev.loopline.api.internal.WaitKind;
import dev.loopline.api.v1.AckError;
import dev.loopline.api.v1.Acknowledgement;
import dev.loopline.api.v1.EventWait;
import dev.loopline.api.v1.InstanceState;
import dev.loopline.api.v1.MessageKind;
import dev.loopline.api.v1.Outcome;
import dev.loopline.api.v1.PlatformEvent;
import dev.loopline.api.v1.Step;
import dev.loopline.api.v1.WorkflowDefinition;
import dev.loopline.api.v1.WorkflowMessage;
import dev.loopline.definition.expression.ExpressionException;
import dev.loopline.definition.expression.Expressions;
import dev.loopline.definition.step.Next;
import dev.loopline.definition.step.StepContext;
import dev.loopline.definition.step.StepTypes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The workflow instance state machine: (instance, input, now) → {@link Decision}. Pure: no Kafka,
 * no clock, no I/O; the caller passes the input's time in and commits the decision atomically.
 *
 * <p>An instance runs the definition's compiled program (see {@code DefinitionCompiler}) with a
 * program counter. It runs instructions until one must wait (an acknowledgement, an event, a
 * timer) or the program ends, then stays Suspended with exactly one open {@link Wait}:
 *
 * <pre>
 *   start      ─▶ Ready(0) ─▶ Locked(20) ─▶ post "workflow started" ─▶ Suspended(10)
 *   wake-up    ─▶ Locked(20) ─▶ run: conditions, variables, jumps … ─▶ Suspended(10) | Completed(30/31/32)
 *   wake-ups: the awaited acknowledgement, a correlated event, the wait's timer
 * </pre>
 *
 * Anything the instance does not wait for is ignored (a second start, a repeated acknowledgement, a
 * redelivered event, a stale timer, anything after completion): that is how duplicates from
 * at-least-once publishers and handlers change nothing. An expression that fails is a step failure
 * (Completed/Failed with the message), never an exception.
 *
 * <p>This class routes each input to the rules it concerns: what each step kind does is its
 * {@link dev.loopline.definition.step.StepBehavior} (found in {@link StepTypes}), how a job
 * starts is {@link Starting}, what a failed acknowledgement does is {@link FailureHandling}, what
 * operators may do is {@link OperatorActions}. {@link Run} accumulates the decision, and the instance
 * limits are checked on it here, once, in {@link #finish}.
 */
public final class InstanceMachine {

    /** How many consumed event ids an instance remembers to ignore redeliveries. */
    static final int CONSUMED_EVENTS_KEPT = 100;

    private static final String STARTED_OUTPUT = "started";
    public static final String STARTED_MESSAGE_NAME = "WorkflowStarted";

    /** What a waiting instance waits for, in its transitions: the acknowledgement of a message, an event, a delay. */
    static final String WAITING_FOR_MESSAGE = "message:";

    static final String WAITING_FOR_EVENT = "event:";
    static final String WAITING_FOR_TIMER = "timer";
    /** A call-workflow step waits for its child: "workflow:<definition>". */
    static final String WAITING_FOR_WORKFLOW = "workflow:";
    /** How long succeeded and canceled instances are kept by default. */
    public static final Duration DEFAULT_RETENTION = Duration.ofDays(30);

    private final Expressions expressions;
    private final Duration retention;
    private final InstanceLimits limits;
    private final ReplyTokens tokens;
    private final Starting starting = new Starting(this);
    private final FailureHandling failureHandling;
    private final OperatorActions operatorActions = new OperatorActions(this);

    public InstanceMachine(Expressions expressions) {
        this(expressions, FailurePolicy.defaults(), DEFAULT_RETENTION);
    }

    public InstanceMachine(Expressions expressions, FailurePolicy failures) {
        this(expressions, failures, DEFAULT_RETENTION);
    }

    public InstanceMachine(Expressions expressions, FailurePolicy failures, Duration retention) {
        this(expressions, failures, retention, InstanceLimits.defaults(), ReplyTokens.random());
    }

    /**
     * @param limits what one instance may hold and send
     * @param tokens where the reply tokens of posted messages come from
     */
    public InstanceMachine(
            Expressions expressions,
            FailurePolicy failures,
            Duration retention,
            InstanceLimits limits,
            ReplyTokens tokens) {
        this.expressions = expressions;
        this.retention = retention;
        this.limits = limits;
        this.tokens = tokens;
        this.failureHandling = new FailureHandling(failures);
    }

    /** The state of a new instance for this start command (see {@link Starting}). */
    public Decision start(String instanceId, StartInstance start, Instant now) {
        return starting.start(instanceId, start, now);
    }

    /**
     * The "workflow started" message every instance begins with. A job that can start at once gets
     * it from the event half, in the same transaction as its start command, so that the application
     * sees it one topic hop (one commit) sooner; a queued or postponed job gets it from {@link
     * #start} or {@link #grant} when it starts. Both build it here, so it is the same message.
     */
    public static WorkflowMessage startedMessage(
            String instanceId, WorkflowDefinition definition, PlatformEvent trigger, Instant now, String replyToken) {
        return WorkflowMessage.newBuilder()
                .setMessageId(InstanceIds.startedMessageId(instanceId))
                .setInstanceId(instanceId)
                .setDefinitionId(definition.getId())
                .setDefinitionVersion(definition.getVersion())
                .setKind(MessageKind.WORKFLOW_STARTED)
                .setMessageName(STARTED_MESSAGE_NAME)
                .setEntityType(trigger.getEntityType())
                .setEntityId(trigger.getEntityId())
                .setPayload(Map.of())
                .setCreatedAt(now)
                .setReplyToken(replyToken)
                .build();
    }

    /** The dependency token is granted to a queued job: it starts now, or when its postponement ends. */
    public Decision grant(InstanceRecord current, GrantToken grant, Instant now) {
        return starting.grant(current, grant, now);
    }

    /** Applies an application's acknowledgement to the instance waiting for it. */
    public Decision acknowledge(InstanceRecord stored, Acknowledgement ack, Instant now) {
        InstanceRecord current = Parallel.focus(
                stored,
                open -> open.getKind() == WaitKind.ACKNOWLEDGEMENT
                        && ack.getMessageId().equals(open.getMessageId()));
        Wait wait = current.getWait();
        if (current.getState() == InstanceState.COMPLETED) {
            return Decision.ignored("instance already completed");
        }
        if (wait == null
                || wait.getKind() != WaitKind.ACKNOWLEDGEMENT
                || !ack.getMessageId().equals(wait.getMessageId())) {
            return Decision.ignored("not waiting for an acknowledgement of " + ack.getMessageId());
        }
        if (!ReplyTokens.matches(wait.getReplyToken(), ack.getReplyToken())) {
            return Decision.rejected("acknowledgement of " + ack.getMessageId()
                    + " does not echo the message's reply token: it did not come from a reader of the message");
        }
        Run run = resume(current, now, "acknowledged " + ack.getMessageId());
        if (ack.getOutcome() == Outcome.FAILED) {
            failureHandling.handle(run, current, ack.getError());
            return finish(run);
        }
        run.instance.setRetryCount(0);
        run.instance.setStepAttempt(0);
        if (current.getCompensatingFor() == null) { // a compensating instance keeps the error it fails with
            run.instance.setErrorCode(null);
            run.instance.setErrorMessage(null);
        }
        run.recordOutput(outputName(current), ack.getOutput());
        if (current.getStepIndex() < 0) {
            run.execute(0, this);
            return finish(run);
        }
        Step step = run.step(current.getStepIndex());
        run.succeeded(step);
        onStep(run, step, context -> StepTypes.behaviorOf(step).acknowledged(step, context, wait.getDueAt()));
        return finish(run);
    }

    /** Applies a child workflow's completion to the call-workflow step that waits for it. */
    public Decision childCompleted(InstanceRecord stored, ChildCompleted child, Instant now) {
        InstanceRecord current = Parallel.focus(
                stored,
                open -> open.getKind() == WaitKind.CHILD
                        && child.getChildInstanceId().equals(open.getChildInstanceId()));
        Wait wait = current.getWait();
        if (current.getState() == InstanceState.COMPLETED) {
            return Decision.ignored("instance already completed");
        }
        if (wait == null
                || wait.getKind() != WaitKind.CHILD
                || !child.getChildInstanceId().equals(wait.getChildInstanceId())) {
            return Decision.ignored("not waiting for child " + child.getChildInstanceId());
        }
        Run run = resume(current, now, "child workflow " + child.getChildInstanceId() + " completed");
        Step step = run.step(current.getStepIndex());
        onStep(run, step, context -> StepTypes.behaviorOf(step).childCompleted(step, context, child));
        return finish(run);
    }

    /** Applies a correlated event to the instance's open event wait. */
    public Decision deliver(InstanceRecord stored, DeliverEvent delivery, Instant now) {
        InstanceRecord current = Parallel.focus(
                stored,
                open -> open.getKind() == WaitKind.EVENT && open.getWaitId().equals(delivery.getWaitId()));
        Wait wait = current.getWait();
        PlatformEvent event = delivery.getEvent();
        if (current.getState() == InstanceState.COMPLETED) {
            return Decision.ignored("instance already completed");
        }
        if (wait == null
                || wait.getKind() != WaitKind.EVENT
                || !wait.getWaitId().equals(delivery.getWaitId())) {
            return Decision.ignored("not waiting (wait " + delivery.getWaitId() + " is closed)");
        }
        // a branch consumes an event for itself: another branch may wait for the same one
        String consumedId = Parallel.consumedId(current, event.getEventId());
        if (current.getConsumedEventIds().contains(consumedId)) {
            return Decision.ignored("event " + event.getEventId() + " already consumed");
        }
        if (current.getTrigger().getEventId().equals(event.getEventId())) {
            return Decision.ignored("event " + event.getEventId() + " started this instance");
        }
        Step step = current.getDefinition().getSteps().get(current.getStepIndex());
        EventWait awaited = step.getEvent();
        if (!wait.getMessageNames().contains(event.getMessageName())) {
            return Decision.ignored("waiting for " + wait.getMessageNames() + ", not " + event.getMessageName());
        }
        boolean completes;
        try {
            completes = awaited.getUntil() == null
                    || expressions.test(awaited.getUntil(), Variables.of(current, event, now));
        } catch (ExpressionException e) {
            Run run = resume(current, now, "event " + event.getEventId() + " received");
            run.closeWait();
            run.fail(where(current) + ": " + e.getMessage());
            return finish(run);
        }
        if (!completes) {
            InstanceRecord stillWaiting = copyOf(current);
            stillWaiting.setConsumedEventIds(consumed(current, consumedId));
            stillWaiting.setUpdatedAt(now);
            return Decision.Changed.quietly(Parallel.stored(stillWaiting));
        }
        Run run = resume(
                current,
                now,
                event.getMessageName() + " " + event.getEntityType() + " " + event.getEntityId() + " (event "
                        + event.getEventId() + ")");
        run.instance.setConsumedEventIds(consumed(current, consumedId));
        run.closeWait();
        onStep(run, step, context -> StepTypes.behaviorOf(step).eventReceived(step, context, event));
        return finish(run);
    }

    /** The timer of a wait fired: a delay ends, or a wait times out. */
    public Decision timerFired(InstanceRecord stored, String waitId, Instant now) {
        InstanceRecord current = Parallel.focus(stored, open -> open.getWaitId().equals(waitId));
        Wait wait = current.getWait();
        if (wait == null || !wait.getWaitId().equals(waitId)) {
            return Decision.ignored("timer of closed wait " + waitId);
        }
        if (wait.getKind() == WaitKind.RETENTION) {
            return deletion(current);
        }
        if (current.getState() == InstanceState.COMPLETED) {
            return Decision.ignored("instance already completed");
        }
        Step step = current.getStepIndex() < 0
                ? null
                : current.getDefinition().getSteps().get(current.getStepIndex());
        if (wait.getKind() == WaitKind.POSTPONED) {
            return starting.postponementEnded(current, now);
        }
        if (wait.getKind() == WaitKind.RETRY) {
            Run run = resume(current, now, "retry " + current.getRetryCount() + " of " + where(current));
            run.instance.setWait(null);
            rerun(run, current.getStepIndex());
            return finish(run);
        }
        Run run = resume(
                current,
                now,
                wait.getKind() == WaitKind.TIMER && step != null
                        ? "delay of " + step.getName() + " elapsed"
                        : "timed out: " + describe(wait));
        run.closeWait();
        String timedOut = where(current) + " timed out: " + describe(wait);
        if (step == null) {
            run.fail(timedOut);
            return finish(run);
        }
        onStep(run, step, context -> StepTypes.behaviorOf(step).timerFired(step, context, timedOut));
        return finish(run);
    }
    /** An operator's action (see {@link OperatorActions} for what each one does, and from which states). */
    public OperatorOutcome operate(InstanceRecord current, OperatorCommand command, Instant now) {
        return operatorActions.operate(current, command, now);
    }

    /** A decision about a new instance; every completion it reaches sets the retention timer. */
    Run begin(InstanceRecord instance, Instant now) {
        Run run = new Run(instance, now);
        run.retention = retention;
        run.tokens = tokens;
        run.machine = this;
        return run;
    }

    Run leave(InstanceRecord current, Instant now) {
        Run run = Run.leave(current, now);
        run.retention = retention;
        run.tokens = tokens;
        run.machine = this;
        return run;
    }

    /** As {@link #leave(InstanceRecord, Instant)}, for an operator's action: its transitions name the operator. */
    Run leave(InstanceRecord current, Instant now, OperatorCommand command) {
        Run run = leave(current, now);
        run.principal = command.getPrincipal();
        return run;
    }

    /**
     * The decision of a run, checked against the instance limits. A run that would leave the
     * instance, or one of its messages, over a limit is dropped whole: the instance fails as it was
     * before this input, with the limit's error code, and nothing of the run is written.
     */
    Decision finish(Run run) {
        Parallel.settle(run);
        Optional<String> exceeded =
                run.exceeded != null ? Optional.of(run.exceeded) : limits.exceeded(run.instance, run.messages);
        if (exceeded.isEmpty()) {
            return run.decision();
        }
        InstanceRecord before = Parallel.stored(run.origin);
        Run failing = leave(before, run.now);
        failing.principal = run.principal;
        failing.closeWait();
        Parallel.close(failing, "the instance failed", null, -1);
        failing.moveTo(Status.IN_PROGRESS, "resumed: " + where(before));
        failing.instance.setErrorCode(InstanceLimits.ERROR_CODE);
        failing.instance.setErrorMessage(exceeded.get());
        failing.failNow(where(before) + ": instance limit exceeded: " + exceeded.get());
        return failing.decision();
    }

    /** Locks a suspended instance to continue it; cancels the timer of the wait it leaves. */
    Run resume(InstanceRecord current, Instant now, String why) {
        Run run = leave(current, now);
        run.moveTo(Status.IN_PROGRESS, "resumed: " + why);
        return run;
    }

    /** Removes the instance (its store entry and, through a tombstone, its read models). */
    static Decision deletion(InstanceRecord current) {
        List<Decision.TimerChange> timers = new ArrayList<>();
        Wait wait = current.getWait();
        if (hasTimer(wait)) {
            timers.add(new Decision.TimerChange(wait.getDueAt(), current.getInstanceId(), wait.getWaitId(), false));
        }
        return new Decision.Deleted(current, timers);
    }

    /** Whether the wait set a timer: every wait with a due time, but a queued job's (the grant ends that one). */
    static boolean hasTimer(Wait wait) {
        return wait != null && wait.getDueAt() != null && wait.getKind() != WaitKind.TOKEN;
    }

    /** Runs the current step again: its message gets a new id, so the application sees a new attempt. */
    void rerun(Run run, int pc) {
        run.instance.setStepAttempt(run.instance.getStepAttempt() + 1);
        if (pc < 0) {
            String instanceId = run.instance.getInstanceId();
            run.post(
                    run.messageId(InstanceIds.startedMessageId(instanceId)),
                    MessageKind.WORKFLOW_STARTED,
                    STARTED_MESSAGE_NAME,
                    Map.of(),
                    null,
                    null,
                    null);
            return;
        }
        run(run, pc);
    }

    /** Runs instructions from {@code pc} until a wait opens or the program ends. */
    void run(Run run, int start) {
        List<Step> program = run.instance.getDefinition().getSteps();
        int pc = start;
        for (int executed = 0; executed <= program.size(); executed++) {
            if (pc >= program.size()) {
                run.moveTo(Status.SUCCEEDED, "all steps completed");
                return;
            }
            Step step = program.get(pc);
            run.instance.setStepIndex(pc);
            Next next;
            try {
                next = StepTypes.behaviorOf(step).start(step, context(run, pc));
            } catch (ExpressionException e) {
                run.fail("step " + step.getName() + " (#" + pc + "): " + e.getMessage());
                return;
            } catch (InstanceLimits.Exceeded e) {
                run.exceeded = e.getMessage();
                return;
            }
            if (!(next instanceof Next.GoTo go)) {
                if (next instanceof Next.Fail failure) {
                    run.fail("step " + step.getName() + " (#" + pc + "): " + failure.reason());
                }
                return;
            }
            pc = go.pc();
        }
        run.fail("the program ran " + program.size() + " instructions without waiting or ending");
    }

    /**
     * What the current step does on an input that reached it (an acknowledgement, an event, its
     * timer), and where the program goes from there.
     */
    private void onStep(Run run, Step step, Function<StepContext, Next> hook) {
        Next next;
        try {
            next = hook.apply(context(run, run.instance.getStepIndex()));
        } catch (ExpressionException e) {
            run.fail(where(run.instance) + ": " + e.getMessage());
            return;
        } catch (InstanceLimits.Exceeded e) {
            run.exceeded = e.getMessage();
            return;
        }
        if (next instanceof Next.GoTo go) {
            run.execute(go.pc(), this);
        } else if (next instanceof Next.Fail failure) {
            run.fail(failure.reason());
        }
    }

    InstanceLimits limits() {
        return limits;
    }

    StepContext context(Run run, int pc) {
        return new RunContext(run, pc, expressions, limits);
    }

    private static String outputName(InstanceRecord instance) {
        return instance.getStepIndex() < 0
                ? STARTED_OUTPUT
                : instance.getDefinition()
                        .getSteps()
                        .get(instance.getStepIndex())
                        .getName();
    }

    static String where(InstanceRecord instance) {
        return instance.getStepIndex() < 0 ? "workflow started" : "step " + outputName(instance);
    }

    static String describe(AckError error) {
        return error == null
                ? "no error given"
                : InstanceLimits.cap(error.getCode() + ": " + error.getMessage(), InstanceLimits.MAX_TEXT_CHARS);
    }

    private static String describe(Wait wait) {
        return switch (wait.getKind()) {
            case ACKNOWLEDGEMENT -> "no acknowledgement of " + wait.getMessageId();
            case EVENT -> "no " + String.join("/", wait.getMessageNames()) + " event";
            case TIMER -> "timer";
            case RETRY -> "retry";
            case TOKEN -> "dependency token";
            case POSTPONED -> "postponed start";
            case RETENTION -> "retention";
            case CHILD -> "child workflow " + wait.getChildInstanceId();
            case JOIN -> "join of the parallel branches";
        };
    }

    private static List<String> consumed(InstanceRecord instance, String eventId) {
        List<String> ids = new ArrayList<>(instance.getConsumedEventIds());
        ids.add(eventId);
        return ids.size() > CONSUMED_EVENTS_KEPT
                ? List.copyOf(ids.subList(ids.size() - CONSUMED_EVENTS_KEPT, ids.size()))
                : ids;
    }

    /**
     * A shallow copy of an instance, to change. Avro's copy builder deep-copies every field (the
     * definition snapshot and trigger included), which profiling showed on the hot path; nothing
     * here changes a nested value in place (lists, maps and waits are replaced), so sharing them
     * with {@code current} is safe.
     */
    static InstanceRecord copyOf(InstanceRecord current) {
        InstanceRecord copy = new InstanceRecord();
        int fields = InstanceRecord.getClassSchema().getFields().size();
        for (int i = 0; i < fields; i++) {
            copy.put(i, current.get(i));
        }
        return copy;
    }
}
