package dev.loopline.runtime.topology;

import dev.loopline.api.internal.GrantToken;
import dev.loopline.api.internal.InstanceCommand;
import dev.loopline.api.internal.ReleaseToken;
import dev.loopline.runtime.domain.event.DependencyQueues;
import dev.loopline.runtime.store.TokenQueues;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Gives a dependency token back when its job completes, and grants it to the next job in creation
 * order ({@link DependencyQueues}). Runs in the event half, next to the queues the event matcher fills: the
 * dependency-commands topic is keyed by entity id like the events topic, so both land in the same
 * task.
 */
final class DependencyProcessor implements Processor<String, ReleaseToken, String, InstanceCommand> {

    private ProcessorContext<String, InstanceCommand> context;
    private TokenQueues queues;

    @Override
    public void init(ProcessorContext<String, InstanceCommand> context) {
        this.context = context;
        this.queues = TokenQueues.from(context, LooplineTopology.DEPENDENCY_QUEUES_STORE);
    }

    @Override
    public void process(Record<String, ReleaseToken> record) {
        ReleaseToken release = record.value();
        if (release == null) {
            throw new RejectedRecordException("dependency command without a value");
        }
        String token = release.getDependencyToken();
        DependencyQueues.Release after = DependencyQueues.release(queues.get(token), release.getInstanceId());
        after.grantedTo()
                .ifPresent(next -> context.forward(
                        new Record<>(next, new InstanceCommand(next, new GrantToken(token)), record.timestamp())));
        queues.put(token, after.queue());
    }
}
