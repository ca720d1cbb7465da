package dev.loopline.runtime.domain;

import dev.loopline.api.internal.CloseWait;
import dev.loopline.api.internal.CorrelationCommand;
import dev.loopline.api.internal.DeliverEvent;
import dev.loopline.api.internal.GrantToken;
import dev.loopline.api.internal.InstanceRecord;
import dev.loopline.api.internal.OpenWait;
import dev.loopline.api.internal.OperatorCommand;
import dev.loopline.api.internal.ReleaseToken;
import dev.loopline.api.internal.StartInstance;
import dev.loopline.api.internal.Wait;
import dev.loopline.api.internal.WaitKind;
import dev.loopline.api.v1.AckError;
import dev.loopline.api.v1.Acknowledgement;
import dev.loopline.api.v1.Causation;
import dev.loopline.api.v1.EventWait;
import dev.loopline.api.v1.InstanceState;
import dev.loopline.api.v1.InstanceTransition;
import dev.loopline.api.v1.MessageKind;
import dev.loopline.api.v1.Outcome;
import dev.loopline.api.v1.PlatformEvent;
import dev.loopline.api.v1.Step;
import dev.loopline.api.v1.StepKind;
import dev.loopline.api.v1.WorkflowDefinition;
import dev.loopline.api.v1.WorkflowMessage;
import dev.loopline.definition.expression.ExpressionException;
import dev.loopline.definition.expression.Expressions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

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
    /** How long succeeded and canceled instances are kept by default. */
    public static final Duration DEFAULT_RETENTION = Duration.ofDays(30);

    private final Expressions expressions;
    private final FailurePolicy failures;
    private final Duration retention;
    private final InstanceLimits limits;
    private final ReplyTokens tokens;

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
        this.failures = failures;
        this.retention = retention;
        this.limits = limits;
        this.tokens = tokens;
    }

    /** The state of a new instance for this start command. */
    public Decision start(String instanceId, StartInstance start, Instant now) {
        PlatformEvent trigger = start.getTrigger();
        InstanceRecord instance = InstanceRecord.newBuilder()
                .setInstanceId(instanceId)
                .setDefinition(start.getDefinition())
                .setTrigger(trigger)
                .setState(InstanceState.READY)
                .setStatusCode(Status.WAITING_FOR_RESOURCES.code())
                .setStepIndex(-1)
                .setTransitionCount(0)
                .setCreatedAt(now)
                .setUpdatedAt(now)
                .build();
        Run run = begin(instance, now);
        run.moveTo(
                Status.WAITING_FOR_RESOURCES,
                "triggered by " + trigger.getMessageName() + " on " + trigger.getEntityType() + " "
                        + trigger.getEntityId() + " (event " + trigger.getEventId() + ")");
        instance.setDependencyToken(start.getDependencyToken());
        boolean postponed = start.getPostponeUntil() != null
                && start.getLoopError() == null
                && start.getPostponeUntil().isAfter(now);
        if (!start.getGranted()) {
            // a failing definition's job is postponed whether or not it is queued: the queue keeps
            // its start time, and the grant honours it
            run.waitForToken(postponed ? start.getPostponeUntil() : null, postponed ? start.getPostponeReason() : null);
            return run.decision();
        }
        if (postponed) {
            run.waitForPostponedStart(start.getPostponeUntil(), start.getPostponeReason());
            return run.decision();
        }
        run.moveTo(Status.IN_PROGRESS, "started");
        if (start.getLoopError() != null) {
            run.instance.setErrorCode(LoopGuard.ERROR_CODE);
            run.instance.setErrorMessage(start.getLoopError());
            run.fail(start.getLoopError());
            return run.decision();
        }
        if (start.getStartedPosted()) {
            run.awaitStarted(start.getStartedReplyToken());
        } else {
            run.postStarted();
        }
        return run.decision();
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

    /** The dependency token is granted to a queued job: it starts now. */
    public Decision grant(InstanceRecord current, GrantToken grant, Instant now) {
        Wait wait = current.getWait();
        if (current.getState() == InstanceState.COMPLETED || wait == null || wait.getKind() != WaitKind.TOKEN) {
            return Decision.ignored("not queued for a dependency token");
        }
        Run run = leave(current, now);
        run.instance.setWait(null);
        if (wait.getDueAt() != null && wait.getDueAt().isAfter(now)) {
            run.waitForPostponedStart(
                    wait.getDueAt(),
                    "earlier jobs on " + grant.getDependencyToken()
                            + " completed; its definition was failing when it was created");
            return finish(run);
        }
        run.moveTo(Status.IN_PROGRESS, "started: earlier jobs on " + grant.getDependencyToken() + " completed");
        run.postStarted();
        return finish(run);
    }

    /** Applies an application's acknowledgement to the instance waiting for it. */
    public Decision acknowledge(InstanceRecord current, Acknowledgement ack, Instant now) {
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
            handleFailure(run, current, ack.getError());
            return finish(run);
        }
        run.instance.setRetryCount(0);
        run.instance.setStepAttempt(0);
        run.instance.setErrorCode(null);
        run.instance.setErrorMessage(null);
        run.recordOutput(outputName(current), ack.getOutput());
        Step step = current.getStepIndex() < 0 ? null : run.step(current.getStepIndex());
        if (step != null && step.getKind() == StepKind.CREATE_TASK) {
            run.waitForTask(step, wait.getDueAt());
            return finish(run);
        }
        run.execute(current.getStepIndex() + 1, this);
        return finish(run);
    }

    /** Applies a correlated event to the instance's open event wait. */
    public Decision deliver(InstanceRecord current, DeliverEvent delivery, Instant now) {
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
        if (current.getConsumedEventIds().contains(event.getEventId())) {
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
            stillWaiting.setConsumedEventIds(consumed(current, event.getEventId()));
            stillWaiting.setUpdatedAt(now);
            return new Decision(
                    Optional.of(stillWaiting),
                    List.of(),
                    List.of(),
                    List.of(),
                    List.of(),
                    List.of(),
                    false,
                    Optional.empty());
        }
        Run run = resume(
                current,
                now,
                event.getMessageName() + " " + event.getEntityType() + " " + event.getEntityId() + " (event "
                        + event.getEventId() + ")");
        run.instance.setConsumedEventIds(consumed(current, event.getEventId()));
        run.closeWait();
        Map<String, Object> output = new HashMap<>(event.getAttributes());
        output.put("messageName", event.getMessageName());
        output.put("eventId", event.getEventId());
        output.put("entityId", event.getEntityId());
        run.recordOutput(step.getName(), output);
        run.execute(current.getStepIndex() + 1, this);
        return finish(run);
    }

    /** The timer of a wait fired: a delay ends, or a wait times out. */
    public Decision timerFired(InstanceRecord current, String waitId, Instant now) {
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
            Run run = leave(current, now);
            run.instance.setWait(null);
            run.moveTo(Status.IN_PROGRESS, "started: the postponement ended");
            run.postStarted();
            return finish(run);
        }
        if (wait.getKind() == WaitKind.RETRY) {
            Run run = resume(current, now, "retry " + current.getRetryCount() + " of " + where(current));
            run.instance.setWait(null);
            rerun(run, current.getStepIndex());
            return finish(run);
        }
        if (wait.getKind() == WaitKind.TIMER) {
            Run run = resume(current, now, "delay of " + step.getName() + " elapsed");
            run.instance.setWait(null);
            run.execute(current.getStepIndex() + 1, this);
            return finish(run);
        }
        Run run = resume(current, now, "timed out: " + describe(wait));
        run.closeWait();
        boolean waitingStep =
                step != null && (step.getKind() == StepKind.WAIT_FOR_EVENT || step.getKind() == StepKind.CREATE_TASK);
        if (waitingStep && step.getTarget() >= 0) {
            run.recordOutput(step.getName(), Map.of("timedOut", true));
            run.execute(step.getTarget(), this);
        } else {
            run.fail(where(current) + " timed out: " + describe(wait));
        }
        return finish(run);
    }
    /**
     * An operator's action, with Dynamics' validity rules:
     *
     * <ul>
     *   <li>cancel, from Ready, Suspended or Locked: Locked/22 Canceling → Completed/32 Canceled; the
     *       instance's wait, timer and correlation entry are removed;
     *   <li>pause, from Locked: 21 Pausing → Suspended. An instance is Locked only while the runtime
     *       processes one of its inputs, and commands are processed between inputs, so a pause is
     *       refused unless the instance is Locked when it arrives;
     *   <li>resume, from Suspended: → Ready → the current step runs again (a new attempt: a new
     *       message id, the wait reopened, retries reset);
     *   <li>postpone, from Ready or Locked, until a later time: the job waits in Ready until then.
     * </ul>
     */
    public OperatorOutcome operate(InstanceRecord current, OperatorCommand command, Instant now) {
        InstanceState state = current.getState();
        String note = command.getNote() == null ? "" : " (" + InstanceLimits.cap(command.getNote(), 500) + ")";
        switch (command.getAction()) {
            case CANCEL -> {
                if (state == InstanceState.COMPLETED) {
                    return OperatorOutcome.refused(refusal("cancel", current, "Ready, Suspended or Locked"));
                }
                Run run = leave(current, now, command);
                run.moveTo(Status.CANCELING, "cancel requested by an operator" + note);
                run.closeWait();
                run.moveTo(Status.CANCELED, "canceled by an operator" + note);
                return new OperatorOutcome(finish(run), true, "canceled");
            }
            case PAUSE -> {
                if (state != InstanceState.LOCKED) {
                    return OperatorOutcome.refused(
                            refusal("pause", current, "Locked") + "; postpone or cancel it instead");
                }
                Run run = leave(current, now, command);
                run.moveTo(Status.PAUSING, "pause requested by an operator" + note);
                run.closeWait();
                run.moveTo(Status.WAITING, "paused by an operator" + note);
                return new OperatorOutcome(finish(run), true, "paused");
            }
            case RESUME -> {
                if (state != InstanceState.SUSPENDED) {
                    return OperatorOutcome.refused(refusal("resume", current, "Suspended"));
                }
                Run run = leave(current, now, command);
                run.moveTo(Status.WAITING_FOR_RESOURCES, "resumed by an operator" + note);
                run.moveTo(Status.IN_PROGRESS, "restarting " + where(current));
                run.closeWait();
                run.instance.setRetryCount(0);
                rerun(run, current.getStepIndex());
                return new OperatorOutcome(finish(run), true, "resumed");
            }
            case POSTPONE -> {
                if (state != InstanceState.READY && state != InstanceState.LOCKED) {
                    return OperatorOutcome.refused(refusal("postpone", current, "Ready or Locked"));
                }
                if (current.getWait() != null && current.getWait().getKind() == WaitKind.TOKEN) {
                    return OperatorOutcome.refused(
                            "the job is queued behind an earlier job on " + current.getDependencyToken()
                                    + " and starts when that one completes; postpone that job instead");
                }
                Instant until = command.getPostponeUntil();
                if (until == null || !until.isAfter(now)) {
                    return OperatorOutcome.refused("postpone needs a postponeUntil after " + now);
                }
                Run run = leave(current, now, command);
                run.closeWait();
                run.waitForRetry(until, "postponed until " + until + " by an operator" + note);
                return new OperatorOutcome(finish(run), true, "postponed until " + until);
            }
            case DELETE -> {
                if (state != InstanceState.COMPLETED) {
                    return OperatorOutcome.refused(refusal("delete", current, "Completed"));
                }
                return new OperatorOutcome(deletion(current), true, "deleted");
            }
            default -> {
                return OperatorOutcome.refused("unknown action " + command.getAction());
            }
        }
    }

    /** A decision about a new instance; every completion it reaches sets the retention timer. */
    private Run begin(InstanceRecord instance, Instant now) {
        Run run = new Run(instance, now);
        run.retention = retention;
        run.tokens = tokens;
        return run;
    }

    private Run leave(InstanceRecord current, Instant now) {
        Run run = Run.leave(current, now);
        run.retention = retention;
        run.tokens = tokens;
        return run;
    }

    /** As {@link #leave(InstanceRecord, Instant)}, for an operator's action: its transitions name the operator. */
    private Run leave(InstanceRecord current, Instant now, OperatorCommand command) {
        Run run = leave(current, now);
        run.principal = command.getPrincipal();
        return run;
    }

    /**
     * The decision of a run, checked against the instance limits. A run that would leave the
     * instance, or one of its messages, over a limit is dropped whole: the instance fails as it was
     * before this input, with the limit's error code, and nothing of the run is written.
     */
    private Decision finish(Run run) {
        Optional<String> exceeded =
                run.exceeded != null ? Optional.of(run.exceeded) : limits.exceeded(run.instance, run.messages);
        if (exceeded.isEmpty()) {
            return run.decision();
        }
        InstanceRecord before = run.origin;
        Run failing = leave(before, run.now);
        failing.principal = run.principal;
        failing.closeWait();
        failing.moveTo(Status.IN_PROGRESS, "resumed: " + where(before));
        failing.instance.setErrorCode(InstanceLimits.ERROR_CODE);
        failing.instance.setErrorMessage(exceeded.get());
        failing.fail(where(before) + ": instance limit exceeded: " + exceeded.get());
        return failing.decision();
    }

    /** Locks a suspended instance to continue it; cancels the timer of the wait it leaves. */
    private Run resume(InstanceRecord current, Instant now, String why) {
        Run run = leave(current, now);
        run.moveTo(Status.IN_PROGRESS, "resumed: " + why);
        return run;
    }

    /** Removes the instance (its store entry and, through a tombstone, its read models). */
    private static Decision deletion(InstanceRecord current) {
        List<Decision.TimerChange> timers = new ArrayList<>();
        Wait wait = current.getWait();
        if (hasTimer(wait)) {
            timers.add(new Decision.TimerChange(wait.getDueAt(), current.getInstanceId(), wait.getWaitId(), false));
        }
        return new Decision(
                Optional.of(current), List.of(), List.of(), List.of(), timers, List.of(), true, Optional.empty());
    }

    /** Whether the wait set a timer: every wait with a due time, but a queued job's (the grant ends that one). */
    private static boolean hasTimer(Wait wait) {
        return wait != null && wait.getDueAt() != null && wait.getKind() != WaitKind.TOKEN;
    }

    private static String refusal(String action, InstanceRecord current, String allowed) {
        Status status = Status.ofCode(current.getStatusCode());
        return "cannot " + action + " an instance that is " + current.getState() + " (" + current.getStatusCode() + " "
                + status.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ') + "): " + action
                + " applies to " + allowed + " instances";
    }

    /**
     * A failed acknowledgement: the failure policy decides. Retry postpones the job (Ready, 0) until
     * the backoff ends; suspend leaves it Suspended until an operator resumes it; fail completes it.
     */
    private void handleFailure(Run run, InstanceRecord current, AckError error) {
        String what = where(current) + " failed: " + describe(error);
        run.instance.setErrorCode(
                error == null ? "Unknown" : InstanceLimits.cap(error.getCode(), InstanceLimits.MAX_TEXT_CHARS));
        run.instance.setErrorMessage(
                error == null ? null : InstanceLimits.cap(error.getMessage(), InstanceLimits.MAX_TEXT_CHARS));
        FailurePolicy.Action action = failures.classify(error);
        if (action == FailurePolicy.Action.RETRY && current.getRetryCount() >= failures.maxRetries()) {
            action = FailurePolicy.Action.SUSPEND;
            what = what + " (" + failures.maxRetries() + " retries used)";
        }
        switch (action) {
            case FAIL -> run.fail(what);
            case SUSPEND -> {
                run.instance.setWait(null);
                run.moveTo(Status.WAITING, "suspended: " + what + "; an operator can resume it");
            }
            case RETRY -> {
                int attempt = current.getRetryCount() + 1;
                run.instance.setRetryCount(attempt);
                Instant due = run.now.plus(failures.backoff(current.getInstanceId(), attempt));
                run.waitForRetry(due, "retry " + attempt + " at " + due + " after " + what);
            }
        }
    }

    /** Runs the current step again: its message gets a new id, so the application sees a new attempt. */
    private void rerun(Run run, int pc) {
        run.instance.setStepAttempt(run.instance.getStepAttempt() + 1);
        if (pc < 0) {
            String instanceId = run.instance.getInstanceId();
            run.post(
                    messageId(run, InstanceIds.startedMessageId(instanceId)),
                    MessageKind.WORKFLOW_STARTED,
                    STARTED_MESSAGE_NAME,
                    Map.of(),
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
            try {
                Integer next = execute(run, step, pc);
                if (next == null) {
                    return;
                }
                pc = next;
            } catch (ExpressionException e) {
                run.fail("step " + step.getName() + " (#" + pc + "): " + e.getMessage());
                return;
            } catch (InstanceLimits.Exceeded e) {
                run.exceeded = e.getMessage();
                return;
            }
        }
        run.fail("the program ran " + program.size() + " instructions without waiting or ending");
    }

    /** Executes one instruction: the next program counter, or null when the instance waits or ends. */
    private Integer execute(Run run, Step step, int pc) {
        String instanceId = run.instance.getInstanceId();
        switch (step.getKind()) {
            case SEND_MESSAGE, UPSERT_ENTITY -> {
                boolean upsert = step.getKind() == StepKind.UPSERT_ENTITY;
                String entityId = upsert ? text(step.getEntityIdExpression(), run) : null;
                Duration timeout = step.getTimeoutMillis() == null ? null : Duration.ofMillis(step.getTimeoutMillis());
                run.post(
                        messageId(run, pc),
                        upsert ? MessageKind.ENTITY_UPSERT : MessageKind.STEP_REQUEST,
                        step.getMessageName(),
                        payload(step, run),
                        upsert ? new EntityRef(step.getEntityType(), entityId) : null,
                        timeout == null ? null : run.now.plus(timeout));
                return null;
            }
            case CREATE_TASK -> {
                Map<String, Object> payload = payload(step, run);
                payload.put("taskId", InstanceIds.taskId(instanceId, pc));
                Instant due = step.getTimeoutMillis() == null ? null : run.now.plusMillis(step.getTimeoutMillis());
                run.post(messageId(run, pc), MessageKind.TASK_CREATED, step.getMessageName(), payload, null, due);
                return null;
            }
            case WAIT_FOR_EVENT -> {
                EventWait event = step.getEvent();
                String key = text(event.getKeyExpression(), run);
                Instant due = step.getTimeoutMillis() == null ? null : run.now.plusMillis(step.getTimeoutMillis());
                run.waitForEvent(step, CorrelationKeys.of(event.getEntityType(), event.getKeyField(), key), due);
                return null;
            }
            case DELAY -> {
                Instant due = step.getDurationMillis() != null
                        ? run.now.plusMillis(step.getDurationMillis())
                        : expressions.instant(step.getExpression(), run.variables());
                if (!due.isAfter(run.now)) {
                    return pc + 1;
                }
                run.waitForTimer(step, due);
                return null;
            }
            case BRANCH_UNLESS -> {
                return expressions.test(step.getExpression(), run.variables()) ? pc + 1 : step.getTarget();
            }
            case JUMP -> {
                return step.getTarget();
            }
            case SET_VARIABLE -> {
                Object value = expressions.scalar(step.getExpression(), run.variables());
                // checked at once, not only when the run ends: a loop that doubles a text must stop here
                limits.checkValue("variable " + step.getVariable(), value);
                run.setVariable(Variables.VARS + step.getVariable(), value);
                return pc + 1;
            }
            case STOP -> {
                boolean canceled = "CANCELED".equals(step.getStopStatus());
                run.moveTo(canceled ? Status.CANCELED : Status.SUCCEEDED, "stopped by step " + step.getName());
                return null;
            }
            case UNKNOWN ->
                throw new ExpressionException(
                        "the step's kind is unknown to this runtime: the definition was written by a newer Loopline");
            default -> throw new ExpressionException("unsupported step kind " + step.getKind());
        }
    }

    /** A step's message id; a retried or resumed step gets a new one, so the application sees a new attempt. */
    private static String messageId(Run run, String base) {
        int attempt = run.instance.getStepAttempt();
        return attempt == 0 ? base : base + "/attempt-" + attempt;
    }

    private static String messageId(Run run, int pc) {
        return messageId(run, InstanceIds.stepMessageId(run.instance.getInstanceId(), pc));
    }

    private Map<String, Object> payload(Step step, Run run) {
        Map<String, Object> payload = new HashMap<>(step.getPayload());
        if (!step.getPayloadExpressions().isEmpty()) {
            Map<String, Object> variables = run.variables();
            step.getPayloadExpressions()
                    .forEach((key, source) -> payload.put(key, expressions.scalar(source, variables)));
        }
        return payload;
    }

    private String text(String source, Run run) {
        Object value = expressions.scalar(source, run.variables());
        if (value == null) {
            throw new ExpressionException("'" + source + "' gave null, expected a key or id");
        }
        String text = CorrelationKeys.text(value);
        if (text == null) {
            throw new ExpressionException("'" + source + "' gave a value with control characters");
        }
        return text;
    }

    private static String outputName(InstanceRecord instance) {
        return instance.getStepIndex() < 0
                ? STARTED_OUTPUT
                : instance.getDefinition()
                        .getSteps()
                        .get(instance.getStepIndex())
                        .getName();
    }

    private static String where(InstanceRecord instance) {
        return instance.getStepIndex() < 0 ? "workflow started" : "step " + outputName(instance);
    }

    private static String describe(AckError error) {
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
        };
    }

    private static List<String> consumed(InstanceRecord instance, String eventId) {
        List<String> ids = new ArrayList<>(instance.getConsumedEventIds());
        ids.add(eventId);
        return ids.size() > CONSUMED_EVENTS_KEPT
                ? List.copyOf(ids.subList(ids.size() - CONSUMED_EVENTS_KEPT, ids.size()))
                : ids;
    }

    /** The entity an upsert message is about. */
    record EntityRef(String entityType, String entityId) {}

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

    /** Accumulates one decision: the changed instance and its effects, in order. */
    static final class Run {
        private final InstanceRecord instance;
        private final Instant now;
        private final List<WorkflowMessage> messages = new ArrayList<>();
        private final List<InstanceTransition> transitions = new ArrayList<>();
        private final List<CorrelationCommand> correlations = new ArrayList<>();
        private final List<Decision.TimerChange> timers = new ArrayList<>();
        private final List<ReleaseToken> releases = new ArrayList<>();
        /** How long a succeeded or canceled instance is kept; set by the machine that runs this. */
        private Duration retention;
        /** The instance as it was before this input (null for a new one): what a run over a limit falls back to. */
        private InstanceRecord origin;
        /** Who asked for this change (an operator), named on its transitions; null for the runtime's own. */
        private String principal;
        /** Where the reply tokens of the messages this run posts come from; set by the machine that runs this. */
        private ReplyTokens tokens;
        /** Set when a step of this run went over an instance limit: the run is dropped (see finish). */
        private String exceeded;

        Run(InstanceRecord instance, Instant now) {
            this.instance = instance;
            this.now = now;
        }

        /** A copy of the instance to change, with the timer of its current wait cancelled. */
        static Run leave(InstanceRecord current, Instant now) {
            Run run = new Run(copyOf(current), now);
            run.origin = current;
            Wait wait = current.getWait();
            if (hasTimer(wait)) {
                run.timers.add(
                        new Decision.TimerChange(wait.getDueAt(), current.getInstanceId(), wait.getWaitId(), false));
            }
            return run;
        }

        Step step(int index) {
            return instance.getDefinition().getSteps().get(index);
        }

        void execute(int pc, InstanceMachine machine) {
            instance.setWait(null);
            if (pc != instance.getStepIndex()) {
                instance.setStepAttempt(0);
            }
            machine.run(this, pc);
        }

        Map<String, Object> variables() {
            return Variables.of(instance, null, now);
        }

        void moveTo(Status status, String reason) {
            moveTo(status, reason, List.of());
        }

        /** @param waitingFor what a waiting instance waits for ({@code InstanceTransition.waitingFor}) */
        void moveTo(Status status, String reason, List<String> waitingFor) {
            if (status.state() == InstanceState.COMPLETED && instance.getDependencyToken() != null) {
                releases.add(new ReleaseToken(instance.getDependencyToken(), instance.getInstanceId()));
            }
            if ((status == Status.SUCCEEDED || status == Status.CANCELED) && retention != null) {
                Instant due = now.plus(retention);
                Wait keep = Wait.newBuilder()
                        .setWaitId(nextWaitId())
                        .setKind(WaitKind.RETENTION)
                        .setDueAt(due)
                        .build();
                instance.setWait(keep);
                timers.add(new Decision.TimerChange(due, instance.getInstanceId(), keep.getWaitId(), true));
            }
            instance.setState(status.state());
            instance.setStatusCode(status.code());
            instance.setReason(reason);
            instance.setUpdatedAt(now);
            instance.setTransitionCount(instance.getTransitionCount() + 1);
            WorkflowDefinition definition = instance.getDefinition();
            transitions.add(InstanceTransition.newBuilder()
                    .setInstanceId(instance.getInstanceId())
                    .setDefinitionId(definition.getId())
                    .setDefinitionVersion(definition.getVersion())
                    .setSequence(instance.getTransitionCount())
                    .setState(status.state())
                    .setStatusCode(status.code())
                    .setTimestamp(now)
                    .setReason(reason)
                    .setRetryCount(instance.getRetryCount())
                    .setErrorCode(instance.getErrorCode())
                    .setErrorMessage(instance.getErrorMessage())
                    .setEntityType(instance.getTrigger().getEntityType())
                    .setEntityId(instance.getTrigger().getEntityId())
                    .setPrincipal(principal)
                    .setWaitingFor(waitingFor)
                    .setStepName(stepName(status))
                    .setWaitingUntil(waitingUntil(status))
                    .setVariables(
                            status.state() == InstanceState.SUSPENDED || status.state() == InstanceState.COMPLETED
                                    ? instance.getVariables()
                                    : Map.of())
                    .build());
        }

        private String stepName(Status status) {
            List<Step> steps = instance.getDefinition().getSteps();
            int index = instance.getStepIndex();
            return status.state() == InstanceState.COMPLETED || index < 0 || index >= steps.size()
                    ? null
                    : steps.get(index).getName();
        }

        private Instant waitingUntil(Status status) {
            Wait wait = instance.getWait();
            boolean waiting = status.state() == InstanceState.READY || status.state() == InstanceState.SUSPENDED;
            return waiting && wait != null && wait.getKind() != WaitKind.RETENTION ? wait.getDueAt() : null;
        }

        void fail(String reason) {
            instance.setWait(null);
            moveTo(Status.FAILED, reason);
        }

        /** Posts a message and suspends the instance until its acknowledgement (or the due time). */
        void post(
                String messageId,
                MessageKind kind,
                String name,
                Map<String, Object> payload,
                EntityRef entity,
                Instant dueAt) {
            WorkflowDefinition definition = instance.getDefinition();
            PlatformEvent trigger = instance.getTrigger();
            Causation causation =
                    kind == MessageKind.ENTITY_UPSERT ? LoopGuard.next(instance.getInstanceId(), trigger) : null;
            String token = tokens.next();
            messages.add(WorkflowMessage.newBuilder()
                    .setMessageId(messageId)
                    .setInstanceId(instance.getInstanceId())
                    .setDefinitionId(definition.getId())
                    .setDefinitionVersion(definition.getVersion())
                    .setKind(kind)
                    .setMessageName(name)
                    .setEntityType(entity != null ? entity.entityType() : trigger.getEntityType())
                    .setEntityId(entity != null ? entity.entityId() : trigger.getEntityId())
                    .setPayload(payload)
                    .setCreatedAt(now)
                    .setCausation(causation)
                    .setReplyToken(token)
                    .build());
            openWait(
                    Wait.newBuilder()
                            .setWaitId(nextWaitId())
                            .setKind(WaitKind.ACKNOWLEDGEMENT)
                            .setMessageId(messageId)
                            .setDueAt(dueAt)
                            .setReplyToken(token)
                            .build(),
                    "acknowledgement of " + messageId,
                    List.of(WAITING_FOR_MESSAGE + name));
        }

        /** Posts the "workflow started" message that every instance begins with, and waits for its acknowledgement. */
        void postStarted() {
            String token = tokens.next();
            messages.add(startedMessage(
                    instance.getInstanceId(), instance.getDefinition(), instance.getTrigger(), now, token));
            awaitStarted(token);
        }

        /** Waits for the acknowledgement of the "workflow started" message that carries this reply token. */
        void awaitStarted(String replyToken) {
            String messageId = InstanceIds.startedMessageId(instance.getInstanceId());
            openWait(
                    Wait.newBuilder()
                            .setWaitId(nextWaitId())
                            .setKind(WaitKind.ACKNOWLEDGEMENT)
                            .setMessageId(messageId)
                            .setReplyToken(replyToken)
                            .build(),
                    "acknowledgement of " + messageId,
                    List.of(WAITING_FOR_MESSAGE + STARTED_MESSAGE_NAME));
        }

        /** After a create-task acknowledgement: wait for TaskChanged/TaskDeleted of the task. */
        void waitForTask(Step step, Instant dueAt) {
            String taskId = InstanceIds.taskId(instance.getInstanceId(), instance.getStepIndex());
            EventWait event = step.getEvent();
            waitForEvent(step, CorrelationKeys.of(event.getEntityType(), event.getKeyField(), taskId), dueAt);
        }

        void waitForEvent(Step step, String correlationKey, Instant dueAt) {
            EventWait event = step.getEvent();
            Wait wait = Wait.newBuilder()
                    .setWaitId(nextWaitId())
                    .setKind(WaitKind.EVENT)
                    .setCorrelationKey(correlationKey)
                    .setMessageNames(event.getMessageNames())
                    .setDueAt(dueAt)
                    .build();
            correlations.add(new CorrelationCommand(
                    correlationKey, new OpenWait(instance.getInstanceId(), wait.getWaitId(), event.getMessageNames())));
            openWait(
                    wait,
                    String.join("/", event.getMessageNames()) + " on " + event.getEntityType() + " "
                            + event.getKeyField() + "="
                            + correlationKey.substring(correlationKey.lastIndexOf(CorrelationKeys.SEPARATOR) + 1),
                    event.getMessageNames().stream()
                            .map(name -> WAITING_FOR_EVENT + name)
                            .toList());
        }
        /**
         * Queues the job behind the earlier jobs of its dependency token: Ready until it is granted.
         * A postponed job keeps its start time as the wait's {@code dueAt}, without a timer: the
         * grant, not the clock, ends this wait.
         */
        void waitForToken(Instant postponedUntil, String why) {
            instance.setWait(Wait.newBuilder()
                    .setWaitId(nextWaitId())
                    .setKind(WaitKind.TOKEN)
                    .setDueAt(postponedUntil)
                    .build());
            String queued = "queued behind an earlier job on " + instance.getDependencyToken();
            moveTo(
                    Status.WAITING_FOR_RESOURCES,
                    postponedUntil == null ? queued : queued + ", and postponed until " + postponedUntil + ": " + why);
        }

        /** A new job of a failing definition: Ready until its start time. */
        void waitForPostponedStart(Instant until, String why) {
            Wait wait = Wait.newBuilder()
                    .setWaitId(nextWaitId())
                    .setKind(WaitKind.POSTPONED)
                    .setDueAt(until)
                    .build();
            instance.setWait(wait);
            timers.add(new Decision.TimerChange(until, instance.getInstanceId(), wait.getWaitId(), true));
            moveTo(Status.WAITING_FOR_RESOURCES, "postponed until " + until + ": " + why);
        }

        /** Postpones the job: Ready (0, waiting for resources) until the backoff ends. */
        void waitForRetry(Instant dueAt, String why) {
            Wait wait = Wait.newBuilder()
                    .setWaitId(nextWaitId())
                    .setKind(WaitKind.RETRY)
                    .setDueAt(dueAt)
                    .build();
            instance.setWait(wait);
            timers.add(new Decision.TimerChange(dueAt, instance.getInstanceId(), wait.getWaitId(), true));
            moveTo(Status.WAITING_FOR_RESOURCES, why);
        }

        void waitForTimer(Step step, Instant dueAt) {
            openWait(
                    Wait.newBuilder()
                            .setWaitId(nextWaitId())
                            .setKind(WaitKind.TIMER)
                            .setDueAt(dueAt)
                            .build(),
                    "delay " + step.getName() + " until " + dueAt,
                    List.of(WAITING_FOR_TIMER));
        }

        private void openWait(Wait wait, String what, List<String> waitingFor) {
            instance.setWait(wait);
            if (wait.getDueAt() != null) {
                timers.add(new Decision.TimerChange(wait.getDueAt(), instance.getInstanceId(), wait.getWaitId(), true));
            }
            moveTo(Status.WAITING, "waiting for " + what, waitingFor);
        }

        /** Removes the open event wait's entry from the correlation index. */
        void closeWait() {
            Wait wait = instance.getWait();
            if (wait != null && wait.getKind() == WaitKind.EVENT) {
                correlations.add(new CorrelationCommand(
                        wait.getCorrelationKey(), new CloseWait(instance.getInstanceId(), wait.getWaitId())));
            }
            instance.setWait(null);
        }

        private String nextWaitId() {
            instance.setWaitCount(instance.getWaitCount() + 1);
            return instance.getStepIndex() + "/" + instance.getWaitCount();
        }

        /** Step outputs become variables "steps.<step>.<key>". */
        void recordOutput(String stepName, Map<String, Object> output) {
            output.forEach((key, value) -> setVariable(Variables.STEPS + stepName + "." + key, value));
        }

        void setVariable(String key, Object value) {
            Map<String, Object> variables = new HashMap<>(instance.getVariables());
            variables.put(key, value);
            instance.setVariables(variables);
        }

        Decision decision() {
            return new Decision(
                    Optional.of(instance),
                    List.copyOf(messages),
                    List.copyOf(transitions),
                    List.copyOf(correlations),
                    List.copyOf(timers),
                    List.copyOf(releases),
                    false,
                    Optional.empty());
        }
    }
}
