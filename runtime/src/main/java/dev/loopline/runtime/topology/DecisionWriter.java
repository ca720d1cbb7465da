package dev.loopline.runtime.topology;

import dev.loopline.api.internal.CorrelationCommand;
import dev.loopline.api.internal.DefinitionOutcome;
import dev.loopline.api.internal.InstanceCommand;
import dev.loopline.api.internal.InstanceRecord;
import dev.loopline.api.internal.ReleaseToken;
import dev.loopline.api.v1.InstanceTransition;
import dev.loopline.api.v1.PlatformEvent;
import dev.loopline.api.v1.WorkflowMessage;
import dev.loopline.runtime.domain.Decision;
import dev.loopline.runtime.domain.Status;
import dev.loopline.runtime.domain.event.DependencyQueues;
import dev.loopline.runtime.store.EarlyAcks;
import dev.loopline.runtime.store.InstanceStore;
import dev.loopline.runtime.store.TimerStore;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Applies a decision: stores the instance, sets and cancels its timers, and forwards its messages,
 * transitions and correlation commands to their sinks. Under exactly_once_v2 all of it (store
 * changelogs and outputs) commits in one transaction with the input's offset.
 */
final class DecisionWriter {

    private final ProcessorContext<String, Object> context;
    private final InstanceStore instances;
    private final TimerStore timers;
    private final EarlyAcks earlyAcks;
    private final LoopMetrics metrics;

    DecisionWriter(ProcessorContext<String, Object> context, LoopMetrics metrics) {
        this.context = context;
        this.metrics = metrics;
        this.instances = InstanceStore.from(context, LooplineTopology.INSTANCES_STORE);
        this.timers = TimerStore.from(context, LooplineTopology.TIMERS_STORE);
        this.earlyAcks = EarlyAcks.from(context, LooplineTopology.EARLY_ACKS_STORE);
    }

    EarlyAcks earlyAcks() {
        return earlyAcks;
    }

    InstanceStore instances() {
        return instances;
    }

    TimerStore timers() {
        return timers;
    }

    /**
     * @param before the instance before the input, null for a start: for the metrics
     * @param work the processing of the input, whose trace context every output carries
     */
    void apply(long timestamp, InstanceRecord before, Decision decision, Telemetry.Work work) {
        metrics.decided(before, decision, timestamp);
        Headers headers = work.headers();
        if (decision.delete()) {
            decision.next().ifPresent(gone -> {
                instances.delete(gone.getInstanceId());
                // a tombstone tells the read models that the instance is gone
                forward(gone.getInstanceId(), null, timestamp, headers, LooplineTopology.TRANSITIONS_SINK);
            });
        } else {
            decision.next().ifPresent(instances::put);
        }
        for (Decision.TimerChange timer : decision.timers()) {
            if (timer.set()) {
                timers.set(timer.dueAt(), timer.instanceId(), timer.waitId());
            } else {
                timers.cancel(timer.dueAt(), timer.instanceId(), timer.waitId());
            }
        }
        for (WorkflowMessage message : decision.messages()) {
            forward(message.getInstanceId(), message, timestamp, headers, LooplineTopology.MESSAGES_SINK);
        }
        for (InstanceTransition transition : decision.transitions()) {
            forward(transition.getInstanceId(), transition, timestamp, headers, LooplineTopology.TRANSITIONS_SINK);
            if (transition.getStatusCode() == Status.SUCCEEDED.code()
                    || transition.getStatusCode() == Status.FAILED.code()) {
                DefinitionOutcome outcome = new DefinitionOutcome(
                        transition.getDefinitionId(),
                        transition.getInstanceId(),
                        transition.getStatusCode() == Status.SUCCEEDED.code());
                forward(transition.getDefinitionId(), outcome, timestamp, headers, LooplineTopology.OUTCOMES_SINK);
            }
        }
        for (CorrelationCommand command : decision.correlations()) {
            forward(command.getCorrelationKey(), command, timestamp, headers, LooplineTopology.WAITS_SINK);
        }
        for (ReleaseToken release : decision.releases()) {
            release(release, timestamp, headers);
        }
        for (InstanceCommand command : decision.commands()) {
            forward(command.getInstanceId(), command, timestamp, headers, LooplineTopology.CHILD_COMMANDS_SINK);
        }
        for (PlatformEvent start : decision.starts()) {
            // keyed by entity id, as every event: the child takes its turn with that entity's jobs
            // (but for a child called on its parent's entity, which runs under the parent's token)
            forward(start.getEntityId(), start, timestamp, headers, LooplineTopology.WORKFLOW_STARTS_SINK);
        }
    }

    /** Gives a dependency token back to the event half that queues its jobs. */
    void release(ReleaseToken release, long timestamp, Headers headers) {
        // keyed by entity id, like the events topic: the token's queue lives in that partition
        String entityId = DependencyQueues.entityIdOf(release.getDependencyToken());
        forward(entityId, release, timestamp, headers, LooplineTopology.RELEASES_SINK);
    }

    /** Each record gets headers of its own: a sink may add to them. */
    private void forward(String key, Object value, long timestamp, Headers headers, String sink) {
        context.forward(new Record<>(key, value, timestamp, new RecordHeaders(headers.toArray())), sink);
    }
}
