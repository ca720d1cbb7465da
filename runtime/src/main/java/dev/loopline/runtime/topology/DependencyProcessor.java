package dev.loopline.runtime.topology;

import dev.loopline.api.internal.GrantToken;
import dev.loopline.api.internal.InstanceCommand;
import dev.loopline.api.internal.ReleaseToken;
import dev.loopline.api.internal.TokenQueue;
import dev.loopline.runtime.store.TokenQueues;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Gives a dependency token back when its job completes, and grants it to the next job in creation
 * order. Runs in the event half, next to the queues the event matcher fills: the
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
        TokenQueue queue = queues.get(token);
        if (release.getInstanceId().equals(queue.getHolder())) {
            String next =
                    queue.getWaiting().isEmpty() ? null : queue.getWaiting().get(0);
            queue.setHolder(next);
            queue.setWaiting(
                    queue.getWaiting().isEmpty()
                            ? queue.getWaiting()
                            : queue.getWaiting().subList(1, queue.getWaiting().size()));
            if (next != null) {
                context.forward(
                        new Record<>(next, new InstanceCommand(next, new GrantToken(token)), record.timestamp()));
            }
        } else {
            queue.setWaiting(queue.getWaiting().stream()
                    .filter(id -> !id.equals(release.getInstanceId()))
                    .toList());
        }
        queues.put(token, queue);
    }
}
