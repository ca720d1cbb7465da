package dev.loopline.gateway.kafka;

import dev.loopline.api.Topics;
import dev.loopline.api.serde.AvroSerdes;
import dev.loopline.api.v1.InstanceTransition;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The instances read model: every instance's transitions, from the transitions topic read with
 * read_committed. Consistency: it only ever shows committed transitions (never state that a
 * runtime's aborted transaction rolls back) and is eventually consistent, behind the runtime by
 * the time it takes to read the topic (typically one commit interval). Every gateway process
 * reads the whole topic, so all processes converge on the same answer.
 *
 * <p>Held in memory for now: fine for demos and tests, not for millions of instances (see the
 * operating-instances issue, which moves queries to a persistent store).
 */
public final class InstanceProjection implements AutoCloseable {

    private final TopicProjection<InstanceTransition> projection;
    private final Map<String, List<InstanceTransition>> transitionsByInstance = new ConcurrentHashMap<>();

    public InstanceProjection(Map<String, Object> clientConfig, Topics topics) {
        this.projection = new TopicProjection<>(
                clientConfig,
                topics.transitions(),
                new AvroSerdes(clientConfig)
                        .valueSerde(InstanceTransition.class)
                        .deserializer(),
                this::apply);
    }

    public void start() {
        projection.start();
    }

    /** The instance's transitions in sequence order, or empty if none has been read. */
    public Optional<List<InstanceTransition>> transitions(String instanceId) {
        List<InstanceTransition> transitions = transitionsByInstance.get(instanceId);
        if (transitions == null) {
            return Optional.empty();
        }
        synchronized (transitions) {
            return Optional.of(List.copyOf(transitions));
        }
    }

    public boolean isRunning() {
        return projection.isRunning();
    }

    private void apply(String instanceId, InstanceTransition transition) {
        if (transition == null) {
            return;
        }
        List<InstanceTransition> transitions =
                transitionsByInstance.computeIfAbsent(transition.getInstanceId(), id -> new ArrayList<>());
        synchronized (transitions) {
            boolean seen = transitions.stream().anyMatch(t -> t.getSequence() == transition.getSequence());
            if (!seen) {
                transitions.add(transition);
                transitions.sort(Comparator.comparingInt(InstanceTransition::getSequence));
            }
        }
    }

    @Override
    public void close() {
        projection.close();
    }
}
