package dev.loopline.gateway.kafka;

import dev.loopline.api.Topics;
import dev.loopline.api.serde.AvroSerdes;
import dev.loopline.api.v1.InstanceState;
import dev.loopline.api.v1.InstanceTransition;
import java.time.Instant;
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
 * <p>Held in memory, and queries scan it: fine for demos, tests and modest volumes, not for
 * millions of instances (a persistent, indexed read model is future work).
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

    /** One instance as of its latest committed transition. */
    public record Summary(
            String instanceId,
            String definitionId,
            int definitionVersion,
            String entityType,
            String entityId,
            InstanceState state,
            int statusCode,
            String reason,
            Instant createdAt,
            Instant updatedAt,
            int retryCount,
            String errorCode,
            String errorMessage) {}

    /** A query's conditions; null fields match anything. */
    public record Filter(
            String definitionId, InstanceState state, Integer statusCode, String entityId, Instant from, Instant to) {

        boolean matches(Summary s) {
            return (definitionId == null || definitionId.equals(s.definitionId()))
                    && (state == null || state == s.state())
                    && (statusCode == null || statusCode == s.statusCode())
                    && (entityId == null || entityId.equals(s.entityId()))
                    && (from == null || !s.createdAt().isBefore(from))
                    && (to == null || s.createdAt().isBefore(to));
        }
    }

    /** A page of a query, oldest first; pass {@code next} back as {@code after} for the following page. */
    public record Page(List<Summary> items, String next) {}

    /**
     * The instances matching the filter, ordered by creation time then id, {@code limit} at a time
     * after the cursor. Computed over the in-memory read model on each call.
     */
    public Page query(Filter filter, int limit, String after) {
        List<Summary> matching = new ArrayList<>();
        for (String id : transitionsByInstance.keySet()) {
            summary(id).filter(filter::matches).ifPresent(matching::add);
        }
        matching.sort(ORDER);
        int start = 0;
        if (after != null) {
            while (start < matching.size() && cursor(matching.get(start)).compareTo(after) <= 0) {
                start++;
            }
        }
        int end = Math.min(matching.size(), start + limit);
        List<Summary> items = List.copyOf(matching.subList(start, end));
        return new Page(items, end < matching.size() && !items.isEmpty() ? cursor(items.get(items.size() - 1)) : null);
    }

    /** Instance counts by state and status code, for a dashboard. */
    public Map<InstanceState, Map<Integer, Long>> counts() {
        Map<InstanceState, Map<Integer, Long>> counts = new java.util.TreeMap<>();
        for (String id : transitionsByInstance.keySet()) {
            summary(id)
                    .ifPresent(s -> counts.computeIfAbsent(s.state(), k -> new java.util.TreeMap<>())
                            .merge(s.statusCode(), 1L, Long::sum));
        }
        return counts;
    }

    public Optional<Summary> summary(String instanceId) {
        return transitions(instanceId).filter(list -> !list.isEmpty()).map(list -> {
            InstanceTransition first = list.get(0);
            InstanceTransition last = list.get(list.size() - 1);
            return new Summary(
                    instanceId,
                    last.getDefinitionId(),
                    last.getDefinitionVersion(),
                    last.getEntityType(),
                    last.getEntityId(),
                    last.getState(),
                    last.getStatusCode(),
                    last.getReason(),
                    first.getTimestamp(),
                    last.getTimestamp(),
                    last.getRetryCount(),
                    last.getErrorCode(),
                    last.getErrorMessage());
        });
    }

    private static final Comparator<Summary> ORDER =
            Comparator.comparing(Summary::createdAt).thenComparing(Summary::instanceId);

    /** A sortable cursor: creation time (16 hex digits) and id. */
    private static String cursor(Summary s) {
        return String.format("%016x", s.createdAt().toEpochMilli()) + "." + s.instanceId();
    }

    private void apply(String instanceId, InstanceTransition transition) {
        if (transition == null) {
            if (instanceId != null) {
                transitionsByInstance.remove(instanceId); // a tombstone: the runtime deleted the instance
            }
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
