package dev.loopline.runtime.domain.event;

import dev.loopline.api.internal.TokenQueue;
import dev.loopline.runtime.domain.CorrelationKeys;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Jobs on one entity run one at a time, in creation order (Dynamics' dependency tokens). The first
 * job takes its entity's token; later ones queue behind it and are granted the token, one by one,
 * as the jobs before them complete.
 *
 * <p>A token is {@code <entity type>␟<entity id>}. The release that gives one back travels on the
 * dependency-commands topic keyed by the entity id, like the events topic, so it reaches the task
 * that holds the token's queue: {@link #entityIdOf} is that key.
 */
public final class DependencyQueues {

    private DependencyQueues() {}

    /** The dependency token of an entity. */
    public static String token(String entityType, String entityId) {
        return entityType + CorrelationKeys.SEPARATOR + entityId;
    }

    /** The entity id a token names: the key its releases travel under. */
    public static String entityIdOf(String token) {
        return token.substring(token.indexOf(CorrelationKeys.SEPARATOR) + 1);
    }

    /**
     * A job asks for its entity's token.
     *
     * @param queue the token's queue, as stored (a free token's is empty)
     * @param granted whether the job holds the token now (else it waits in the queue)
     * @param newJob false when the job was already holding or queued (a repeated event)
     */
    public record Admission(TokenQueue queue, boolean granted, boolean newJob) {}

    /** A job finished with its token: the queue after it, and the job the token passes to, if any. */
    public record Release(TokenQueue queue, Optional<String> grantedTo) {}

    public static Admission admit(TokenQueue queue, String instanceId) {
        if (queue.getHolder() == null) {
            return new Admission(new TokenQueue(instanceId, queue.getWaiting()), true, true);
        }
        if (queue.getHolder().equals(instanceId)) {
            return new Admission(queue, true, false);
        }
        if (queue.getWaiting().contains(instanceId)) {
            return new Admission(queue, false, false);
        }
        List<String> waiting = new ArrayList<>(queue.getWaiting());
        waiting.add(instanceId);
        return new Admission(new TokenQueue(queue.getHolder(), waiting), false, true);
    }

    /**
     * A job completed (or was canceled or deleted): if it held the token, the token passes to the
     * first job waiting; if it was still waiting, it leaves the queue.
     */
    public static Release release(TokenQueue queue, String instanceId) {
        List<String> waiting = queue.getWaiting();
        if (instanceId.equals(queue.getHolder())) {
            if (waiting.isEmpty()) {
                return new Release(new TokenQueue(null, waiting), Optional.empty());
            }
            String next = waiting.get(0);
            return new Release(
                    new TokenQueue(next, List.copyOf(waiting.subList(1, waiting.size()))), Optional.of(next));
        }
        return new Release(
                new TokenQueue(
                        queue.getHolder(),
                        waiting.stream().filter(id -> !id.equals(instanceId)).toList()),
                Optional.empty());
    }
}
