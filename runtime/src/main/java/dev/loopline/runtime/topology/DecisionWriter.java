package dev.loopline.runtime.topology;

import dev.loopline.api.v1.InstanceTransition;
import dev.loopline.api.v1.WorkflowMessage;
import dev.loopline.runtime.domain.Decision;
import dev.loopline.runtime.store.InstanceStore;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Applies a decision: stores the instance and forwards its messages and transitions to their
 * sinks. Under exactly_once_v2 the store write (its changelog), the outputs and the input offset
 * commit in one transaction.
 */
final class DecisionWriter {

    private final ProcessorContext<String, Object> context;
    private final InstanceStore instances;

    DecisionWriter(ProcessorContext<String, Object> context, InstanceStore instances) {
        this.context = context;
        this.instances = instances;
    }

    void apply(Record<String, ?> input, Decision decision) {
        decision.next().ifPresent(instances::put);
        for (WorkflowMessage message : decision.messages()) {
            context.forward(
                    new Record<String, Object>(message.getInstanceId(), message, input.timestamp()),
                    LooplineTopology.MESSAGES_SINK);
        }
        for (InstanceTransition transition : decision.transitions()) {
            context.forward(
                    new Record<String, Object>(transition.getInstanceId(), transition, input.timestamp()),
                    LooplineTopology.TRANSITIONS_SINK);
        }
    }
}
