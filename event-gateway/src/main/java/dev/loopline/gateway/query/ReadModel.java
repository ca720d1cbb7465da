package dev.loopline.gateway.query;

import dev.loopline.api.internal.InstanceSummary;
import dev.loopline.api.v1.InstanceState;
import dev.loopline.api.v1.InstanceTransition;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What one transition changes on the query side, decided without Kafka: the instance's summary,
 * its entries in the secondary indexes ({@link IndexKeys}) and its place in the counts.
 *
 * <p>The transitions of one instance arrive in sequence order on its partition of
 * {@code loopline.transitions}, read {@code read_committed}, so a rolled-back change is never
 * seen. A transition whose sequence is not above the summary's (a repeat) changes nothing: the
 * model is an idempotent upsert, and a count moves only when a summary does.
 */
public final class ReadModel {

    private ReadModel() {}

    /**
     * The change one record of the transitions topic makes.
     *
     * @param summary the summary to keep, or null to delete it (with its history)
     * @param indexOut index keys to delete
     * @param indexIn index keys to put
     * @param countDown the count to decrement, or null
     * @param countUp the count to increment, or null
     */
    public record Change(
            InstanceSummary summary, List<String> indexOut, List<String> indexIn, String countDown, String countUp) {

        static final Change NONE = new Change(null, List.of(), List.of(), null, null);

        /** True when nothing changes: the summary, the indexes and the counts stay as they are. */
        public boolean isNone() {
            return this == NONE;
        }
    }

    /** The change that {@code transition} makes to an instance summarised by {@code current} (null: not yet seen). */
    public static Change apply(InstanceSummary current, InstanceTransition transition) {
        if (current != null && transition.getSequence() <= current.getSequence()) {
            return Change.NONE;
        }
        InstanceSummary next = after(current, transition);
        List<String> before = current == null ? List.of() : IndexKeys.of(current);
        List<String> now = IndexKeys.of(next);
        String down = current == null ? null : IndexKeys.count(current);
        String up = IndexKeys.count(next);
        boolean sameCount = Objects.equals(down, up);
        return new Change(next, minus(before, now), minus(now, before), sameCount ? null : down, sameCount ? null : up);
    }

    /** The change that deleting the instance makes (a tombstone: the runtime removed it after its retention). */
    public static Change delete(InstanceSummary current) {
        if (current == null) {
            return Change.NONE;
        }
        return new Change(null, IndexKeys.of(current), List.of(), IndexKeys.count(current), null);
    }

    private static InstanceSummary after(InstanceSummary current, InstanceTransition t) {
        return InstanceSummary.newBuilder()
                .setInstanceId(t.getInstanceId())
                .setDefinitionId(t.getDefinitionId())
                .setDefinitionVersion(t.getDefinitionVersion())
                .setSequence(t.getSequence())
                .setState(t.getState())
                .setStatusCode(t.getStatusCode())
                // the first transition seen: the instance's creation, or the oldest the topic still holds
                .setCreatedAt(current == null ? t.getTimestamp() : current.getCreatedAt())
                .setUpdatedAt(t.getTimestamp())
                .setReason(t.getReason())
                .setRetryCount(t.getRetryCount())
                .setErrorCode(t.getErrorCode())
                .setErrorMessage(t.getErrorMessage())
                .setEntityType(
                        t.getEntityType() != null || current == null ? t.getEntityType() : current.getEntityType())
                .setEntityId(t.getEntityId() != null || current == null ? t.getEntityId() : current.getEntityId())
                .setWaitingFor(t.getWaitingFor())
                .setStepName(t.getStepName())
                .setParentInstanceId(t.getParentInstanceId())
                .setWorkItems(t.getWorkItems())
                .setWaitingUntil(t.getWaitingUntil())
                .setVariables(
                        t.getState() == InstanceState.SUSPENDED
                                        || t.getState() == InstanceState.COMPLETED
                                        || current == null
                                ? t.getVariables()
                                : current.getVariables())
                .build();
    }

    private static List<String> minus(List<String> keys, List<String> others) {
        List<String> rest = new ArrayList<>(keys);
        rest.removeAll(others);
        return List.copyOf(rest);
    }
}
