package dev.loopline.runtime.domain;

import dev.loopline.api.OnDemandStart;
import dev.loopline.api.internal.ChildCompleted;
import dev.loopline.api.internal.CloseWait;
import dev.loopline.api.internal.CorrelationCommand;
import dev.loopline.api.internal.InstanceCommand;
import dev.loopline.api.internal.InstanceRecord;
import dev.loopline.api.internal.OpenWait;
import dev.loopline.api.internal.OperatorCommand;
import dev.loopline.api.internal.ReleaseToken;
import dev.loopline.api.internal.Wait;
import dev.loopline.api.internal.WaitKind;
import dev.loopline.api.v1.Causation;
import dev.loopline.api.v1.EventWait;
import dev.loopline.api.v1.InstanceState;
import dev.loopline.api.v1.InstanceTransition;
import dev.loopline.api.v1.MessageKind;
import dev.loopline.api.v1.PlatformEvent;
import dev.loopline.api.v1.Step;
import dev.loopline.api.v1.WorkflowDefinition;
import dev.loopline.api.v1.WorkflowMessage;
import dev.loopline.definition.step.Next;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Accumulates one decision: the changed instance and its effects, in order. */
final class Run {
    final InstanceRecord instance;
    final Instant now;
    final List<WorkflowMessage> messages = new ArrayList<>();
    final List<InstanceTransition> transitions = new ArrayList<>();
    final List<CorrelationCommand> correlations = new ArrayList<>();
    final List<Decision.TimerChange> timers = new ArrayList<>();
    final List<ReleaseToken> releases = new ArrayList<>();
    final List<PlatformEvent> starts = new ArrayList<>();
    /** Commands to other instances: a completed child's result for its parent, a cancel for a parent's child. */
    final List<InstanceCommand> commands = new ArrayList<>();
    /** How long a succeeded or canceled instance is kept; set by the machine that runs this. */
    Duration retention;
    /** The instance as it was before this input (null for a new one): what a run over a limit falls back to. */
    InstanceRecord origin;
    /** Who asked for this change (an operator), named on its transitions; null for the runtime's own. */
    String principal;
    /** Where the reply tokens of the messages this run posts come from; set by the machine that runs this. */
    ReplyTokens tokens;
    /** Set when a step of this run went over an instance limit: the run is dropped (see finish). */
    String exceeded;
    /** The machine that runs this: a failure runs the compensations of the succeeded steps with it. */
    InstanceMachine machine;
    /** While a branch of a parallel step runs (see {@link Parallel}): why it failed, if it did. */
    String branchFailure;
    /** … whether it reached its end, and with what result. */
    boolean branchEnded;

    String branchResult;
    /** … what it waits for, if it waits: the join's transition names it. */
    String branchWaiting;

    List<String> branchWaitingFor = List.of();

    Run(InstanceRecord instance, Instant now) {
        this.instance = instance;
        this.now = now;
    }

    /** A copy of the instance to change, with the timer of its current wait cancelled. */
    static Run leave(InstanceRecord current, Instant now) {
        Run run = new Run(InstanceMachine.copyOf(current), now);
        run.origin = current;
        run.cancelTimer(current.getWait());
        return run;
    }

    /** Sets the wait's timer, if it has one (see {@link InstanceMachine#hasTimer}). */
    void setTimer(Wait wait) {
        if (InstanceMachine.hasTimer(wait)) {
            timers.add(new Decision.TimerChange(wait.getDueAt(), instance.getInstanceId(), wait.getWaitId(), true));
        }
    }

    /** Removes the wait's timer, if it has one. */
    void cancelTimer(Wait wait) {
        if (InstanceMachine.hasTimer(wait)) {
            timers.add(new Decision.TimerChange(wait.getDueAt(), instance.getInstanceId(), wait.getWaitId(), false));
        }
    }

    Step step(int index) {
        return instance.getDefinition().getSteps().get(index);
    }

    /** A message id for this attempt: a retried or resumed step gets a new one, so the application sees a new attempt. */
    String messageId(String base) {
        int attempt = instance.getStepAttempt();
        String id = migrated(base);
        return attempt == 0 ? id : id + "/attempt-" + attempt;
    }

    /**
     * An id made of the program counter, made new for a migrated instance: its new program may
     * reach an index that the old one used, and a message, task or child it made there.
     */
    String migrated(String base) {
        return instance.getMigrations() == 0 ? base : base + ".m" + instance.getMigrations();
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
        if (Parallel.inBranch(instance)
                && (status.state() == InstanceState.READY || status.state() == InstanceState.SUSPENDED)) {
            // a branch that waits does not suspend the instance: the join's transition says what it waits for
            branchWaiting = reason;
            branchWaitingFor = waitingFor;
            return;
        }
        if (status.state() == InstanceState.COMPLETED && instance.getDependencyToken() != null) {
            releases.add(new ReleaseToken(instance.getDependencyToken(), instance.getInstanceId()));
        }
        if (status.state() == InstanceState.COMPLETED) {
            tellParent(status, reason);
        }
        if ((status == Status.SUCCEEDED || status == Status.CANCELED) && retention != null) {
            Instant due = now.plus(retention);
            Wait keep = Wait.newBuilder()
                    .setWaitId(nextWaitId())
                    .setKind(WaitKind.RETENTION)
                    .setDueAt(due)
                    .build();
            instance.setWait(keep);
            setTimer(keep);
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
                .setParentInstanceId(OnDemandStart.parentOf(instance.getTrigger()))
                .setWorkItems(Parallel.workItems(instance))
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

    /**
     * The instance fails. If steps that succeeded declared compensations, it first undoes them,
     * newest first, each through the message loop, and fails with this reason once they are done.
     * A failure while compensating fails the instance at once, naming both.
     */
    void fail(String reason) {
        if (Parallel.inBranch(instance)) { // the branch fails: the join decides what that does to the instance
            branchFailure = reason;
            instance.setWait(null);
            return;
        }
        String compensatingFor = instance.getCompensatingFor();
        if (compensate(reason, false)) {
            return;
        }
        failNow(compensatingFor == null ? reason : reason + " (while compensating after: " + compensatingFor + ")");
    }

    /**
     * Starts undoing the steps that succeeded, newest first, if any declared a compensation and the
     * instance is not compensating already; at the end it fails, or, for an operator's cancel, is
     * canceled. Whether it started.
     */
    boolean compensate(String reason, boolean cancels) {
        if (instance.getCompensatingFor() != null || instance.getCompensations().isEmpty() || machine == null) {
            return false;
        }
        instance.setCompensatingFor(reason);
        instance.setCompensationCancels(cancels);
        // each compensation gets the retries of a step of its own
        instance.setRetryCount(0);
        instance.setStepAttempt(0);
        moveTo(Status.IN_PROGRESS, "compensating the steps that succeeded, after: " + reason);
        execute(popCompensation(), machine);
        return true;
    }

    /** The instance fails at once, its compensations left undone: for a run the instance limits refuse. */
    void failNow(String reason) {
        instance.setWait(null);
        moveTo(Status.FAILED, reason);
    }

    /** A step succeeded: if it declares a compensation, a later failure runs it (not while compensating). */
    void succeeded(Step step) {
        if (step.getCompensation() >= 0 && instance.getCompensatingFor() == null) {
            List<Integer> compensations = new ArrayList<>(instance.getCompensations());
            compensations.add(step.getCompensation());
            instance.setCompensations(compensations);
        }
    }

    /**
     * While compensating: the next older compensation, or the end: the instance fails as it was to,
     * or is canceled when an operator's cancel started it.
     */
    Next compensateNext() {
        String compensatingFor = instance.getCompensatingFor();
        if (compensatingFor == null) {
            return Next.fail("reached the end of a compensation without compensating");
        }
        if (!instance.getCompensations().isEmpty()) {
            return Next.goTo(popCompensation());
        }
        if (instance.getCompensationCancels()) {
            instance.setWait(null);
            moveTo(Status.CANCELED, "canceled after compensating the steps that succeeded: " + compensatingFor);
        } else {
            failNow("failed after compensating the steps that succeeded: " + compensatingFor);
        }
        return Next.halt();
    }

    private int popCompensation() {
        List<Integer> compensations = new ArrayList<>(instance.getCompensations());
        int newest = compensations.remove(compensations.size() - 1);
        instance.setCompensations(compensations);
        return newest;
    }

    /** Posts a message and suspends the instance until its acknowledgement (or the due time). */
    void post(
            String messageId,
            MessageKind kind,
            String name,
            Map<String, Object> payload,
            String entityType,
            String entityId,
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
                .setEntityType(entityType != null ? entityType : trigger.getEntityType())
                .setEntityId(entityType != null ? entityId : trigger.getEntityId())
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
                List.of(InstanceMachine.WAITING_FOR_MESSAGE + name));
    }

    /**
     * Starts an instance of another definition on demand, on an entity, with initiation data: an
     * event on the entity's partition that the event half turns into a job like any other, one level
     * deeper in the chain of causes that loop protection bounds. Its id is the step's, so a step run
     * again starts nothing twice. The child instance's id.
     */
    String startWorkflow(
            String stepMessageId,
            String definitionId,
            String entityType,
            String entityId,
            Map<String, Object> inputs,
            boolean waits) {
        PlatformEvent trigger = instance.getTrigger();
        String childType = entityType != null ? entityType : trigger.getEntityType();
        String childId = entityId != null ? entityId : trigger.getEntityId();
        boolean underParent =
                waits && childType.equals(trigger.getEntityType()) && childId.equals(trigger.getEntityId());
        String eventId = OnDemandStart.workflowEventId(stepMessageId);
        starts.add(PlatformEvent.newBuilder()
                .setEventId(eventId)
                .setSource(underParent ? OnDemandStart.CALL_SOURCE : OnDemandStart.WORKFLOW_SOURCE)
                .setEntityType(childType)
                .setEntityId(childId)
                .setMessageName(OnDemandStart.MESSAGE_NAME)
                .setOccurredAt(now)
                .setCausation(LoopGuard.next(instance.getInstanceId(), trigger))
                .setStartsDefinition(definitionId)
                .setInputs(inputs)
                .build());
        return InstanceIds.instanceId(eventId, definitionId);
    }

    /**
     * A child a workflow started (its trigger's source is a workflow's, its causation names the
     * parent) tells its parent how it ended, with its variables; a parent that does not wait for it
     * ignores that.
     */
    private void tellParent(Status status, String reason) {
        String parent = OnDemandStart.parentOf(instance.getTrigger());
        if (parent == null) {
            return;
        }
        Map<String, Object> output = new HashMap<>();
        instance.getVariables().forEach((name, value) -> {
            if (name.startsWith(Variables.VARS)) {
                output.put(name.substring(Variables.VARS.length()), value);
            }
        });
        commands.add(new InstanceCommand(
                parent, new ChildCompleted(instance.getInstanceId(), status.code(), reason, output)));
    }

    /** A parent canceled while it waits for a child cancels the child too, in the operator's name. */
    void cancelChild(OperatorCommand cancel) {
        Wait wait = instance.getWait();
        if (wait != null && wait.getKind() == WaitKind.CHILD) {
            commands.add(new InstanceCommand(
                    wait.getChildInstanceId(),
                    OperatorCommand.newBuilder(cancel)
                            .setRequestId("parent/" + cancel.getRequestId())
                            .setNote("its parent " + instance.getInstanceId() + " was canceled")
                            .build()));
        }
    }

    /** Suspends the instance until the child instance it started completes. */
    void waitForChild(Step step, String childInstanceId) {
        openWait(
                Wait.newBuilder()
                        .setWaitId(nextWaitId())
                        .setKind(WaitKind.CHILD)
                        .setChildInstanceId(childInstanceId)
                        .build(),
                "child workflow " + childInstanceId + " (" + step.getStartsDefinition() + ")",
                List.of(InstanceMachine.WAITING_FOR_WORKFLOW + step.getStartsDefinition()));
    }

    /** Posts the "workflow started" message that every instance begins with, and waits for its acknowledgement. */
    void postStarted() {
        String token = tokens.next();
        messages.add(InstanceMachine.startedMessage(
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
                List.of(InstanceMachine.WAITING_FOR_MESSAGE + InstanceMachine.STARTED_MESSAGE_NAME));
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
                        .map(name -> InstanceMachine.WAITING_FOR_EVENT + name)
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
        waitInReady(WaitKind.POSTPONED, until, "postponed until " + until + ": " + why);
    }

    /** Postpones the job: Ready (0, waiting for resources) until the backoff ends. */
    void waitForRetry(Instant dueAt, String why) {
        waitInReady(WaitKind.RETRY, dueAt, why);
    }

    private void waitInReady(WaitKind kind, Instant dueAt, String why) {
        Wait wait = Wait.newBuilder()
                .setWaitId(nextWaitId())
                .setKind(kind)
                .setDueAt(dueAt)
                .build();
        instance.setWait(wait);
        setTimer(wait);
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
                List.of(InstanceMachine.WAITING_FOR_TIMER));
    }

    private void openWait(Wait wait, String what, List<String> waitingFor) {
        instance.setWait(wait);
        setTimer(wait);
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

    String nextWaitId() {
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
        return new Decision.Changed(instance, messages, transitions, correlations, timers, releases, starts, commands);
    }
}
