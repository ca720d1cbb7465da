package dev.loopline.runtime.domain;

import dev.loopline.api.internal.GrantToken;
import dev.loopline.api.internal.InstanceRecord;
import dev.loopline.api.internal.StartInstance;
import dev.loopline.api.internal.Wait;
import dev.loopline.api.internal.WaitKind;
import dev.loopline.api.v1.InstanceState;
import dev.loopline.api.v1.PlatformEvent;
import java.time.Instant;

/**
 * How a job starts: a new instance is Ready (0) until it may run, then Locked (20) posts "workflow
 * started". It waits in Ready while an earlier job on its entity holds the dependency token, and
 * while its definition's recent jobs failed in a row (a postponed start); a job the loop guard
 * stopped fails at once without doing any work.
 */
final class Starting {

    private final InstanceMachine machine;

    Starting(InstanceMachine machine) {
        this.machine = machine;
    }

    /** The state of a new instance for this start command. */
    Decision start(String instanceId, StartInstance start, Instant now) {
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
        Run run = machine.begin(instance, now);
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

    /** The dependency token is granted to a queued job: it starts now. */
    Decision grant(InstanceRecord current, GrantToken grant, Instant now) {
        Wait wait = current.getWait();
        if (current.getState() == InstanceState.COMPLETED || wait == null || wait.getKind() != WaitKind.TOKEN) {
            return Decision.ignored("not queued for a dependency token");
        }
        Run run = machine.leave(current, now);
        run.instance.setWait(null);
        if (wait.getDueAt() != null && wait.getDueAt().isAfter(now)) {
            run.waitForPostponedStart(
                    wait.getDueAt(),
                    "earlier jobs on " + grant.getDependencyToken()
                            + " completed; its definition was failing when it was created");
            return machine.finish(run);
        }
        run.moveTo(Status.IN_PROGRESS, "started: earlier jobs on " + grant.getDependencyToken() + " completed");
        run.postStarted();
        return machine.finish(run);
    }

    /** A postponed start's time came: the job starts. */
    Decision postponementEnded(InstanceRecord current, Instant now) {
        Run run = machine.leave(current, now);
        run.instance.setWait(null);
        run.moveTo(Status.IN_PROGRESS, "started: the postponement ended");
        run.postStarted();
        return machine.finish(run);
    }
}
