package dev.loopline.runtime.domain.event;

import dev.loopline.api.OnDemandStart;
import dev.loopline.api.internal.StartInstance;
import dev.loopline.api.internal.TokenQueue;
import dev.loopline.api.v1.PlatformEvent;
import dev.loopline.api.v1.WorkflowDefinition;
import dev.loopline.runtime.domain.FailurePolicy;
import dev.loopline.runtime.domain.InstanceIds;
import dev.loopline.runtime.domain.LoopGuard;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The event half's rules for a job that an event starts, one matching definition at a time:
 *
 * <ol>
 *   <li>loop protection ({@link LoopGuard}): a job of a causation chain too deep, or one run too
 *       many on the same record, fails at once without doing any work, and takes no token;
 *   <li>ordering ({@link DependencyQueues}): the job takes its entity's token, or queues for it; a
 *       child that its parent calls on its own entity takes none, and runs under the parent's;
 *   <li>a failing definition (its last jobs failed in a row) gets its new jobs postponed, for longer
 *       and longer (the failure policy's backoff by the number of failures), queued or not; its
 *       first success ends it.
 * </ol>
 *
 * Pure: the processor reads the state this needs, and writes back what {@link JobStart} holds.
 */
public final class JobStarts {

    private final LoopGuard loopGuard;
    private final FailurePolicy failurePolicy;

    public JobStarts(LoopGuard loopGuard, FailurePolicy failurePolicy) {
        this.loopGuard = loopGuard;
        this.failurePolicy = failurePolicy;
    }

    /**
     * A job the event starts for a definition whose trigger it matches.
     *
     * @param earlierRuns when the definition started on the event's record before (the loop guard's window)
     * @param queue the queue of the event's entity's token
     * @param consecutiveFailures how many of the definition's last jobs failed in a row
     * @param now the time the event is processed
     */
    public JobStart start(
            WorkflowDefinition definition,
            PlatformEvent event,
            List<Instant> earlierRuns,
            TokenQueue queue,
            int consecutiveFailures,
            Instant now) {
        String instanceId = InstanceIds.instanceId(event.getEventId(), definition.getId());
        List<Instant> runs = loopGuard.recordRun(earlierRuns, now);
        Optional<String> tooDeep = loopGuard.depthViolation(event, now);
        String loopError =
                (tooDeep.isPresent() ? tooDeep : loopGuard.runsViolation(runs, definition.getId(), event)).orElse(null);
        StartInstance command = StartInstance.newBuilder()
                .setDefinition(definition)
                .setTrigger(event)
                .setLoopError(loopError)
                .build();
        if (loopError != null) {
            return new JobStart(instanceId, command, runs, queue, false);
        }
        if (consecutiveFailures > 0) {
            command.setPostponeUntil(now.plus(failurePolicy.backoff(definition.getId(), consecutiveFailures)));
            command.setPostponeReason(
                    definition.getId() + "'s last " + consecutiveFailures + " job(s) failed in a row");
        }
        if (OnDemandStart.CALL_SOURCE.equals(event.getSource())) {
            // a child its parent calls on its own entity runs under the parent's token: queued behind
            // the parent, it would wait for the parent, and the parent for it
            command.setGranted(true);
            return new JobStart(instanceId, command, runs, queue, command.getPostponeUntil() == null);
        }
        String token = DependencyQueues.token(event.getEntityType(), event.getEntityId());
        DependencyQueues.Admission admission = DependencyQueues.admit(queue, instanceId);
        command.setDependencyToken(token);
        command.setGranted(admission.granted());
        boolean startsNow = admission.newJob() && admission.granted() && command.getPostponeUntil() == null;
        return new JobStart(instanceId, command, runs, admission.queue(), startsNow);
    }
}
