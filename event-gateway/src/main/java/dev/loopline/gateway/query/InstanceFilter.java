package dev.loopline.gateway.query;

import dev.loopline.api.internal.InstanceSummary;
import dev.loopline.api.store.StoreKeys;
import dev.loopline.api.v1.InstanceState;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * A list query's conditions; null fields match anything. {@code from} is inclusive and {@code to}
 * exclusive, both on the creation time.
 */
public record InstanceFilter(
        String definitionId,
        Integer definitionVersion,
        InstanceState state,
        Integer statusCode,
        String entityType,
        String entityId,
        String errorCode,
        String waitingFor,
        Instant from,
        Instant to,
        String assignee,
        String parentInstanceId) {

    public static final InstanceFilter ALL =
            new InstanceFilter(null, null, null, null, null, null, null, null, null, null, null, null);

    public boolean matches(InstanceSummary s) {
        return (definitionId == null || definitionId.equals(s.getDefinitionId()))
                && (definitionVersion == null || definitionVersion == s.getDefinitionVersion())
                && (state == null || state == s.getState())
                && (statusCode == null || statusCode == s.getStatusCode())
                && (entityType == null || entityType.equals(s.getEntityType()))
                && (entityId == null || entityId.equals(s.getEntityId()))
                && (errorCode == null || errorCode.equals(s.getErrorCode()))
                && (waitingFor == null || s.getWaitingFor().contains(waitingFor))
                && (from == null || !s.getCreatedAt().isBefore(from))
                && (to == null || s.getCreatedAt().isBefore(to))
                && (assignee == null || s.getWorkItems().stream().anyMatch(item -> assignee.equals(item.getAssignee())))
                && (parentInstanceId == null || parentInstanceId.equals(s.getParentInstanceId()));
    }

    /** The index head to scan ({@link IndexKeys}), chosen to read as few entries as it can. */
    public String head(Map<String, Long> counts) {
        if (assignee != null) {
            return StoreKeys.join(IndexKeys.ASSIGNEE, assignee); // one person's open work: few
        }
        if (parentInstanceId != null) {
            return StoreKeys.join(IndexKeys.PARENT, parentInstanceId); // one instance's children
        }
        if (entityId != null) {
            return StoreKeys.join(IndexKeys.ENTITY, entityId); // one record's instances: few
        }
        if (errorCode != null) {
            return StoreKeys.join(IndexKeys.ERROR, errorCode); // failing instances: few, or a page fills fast
        }
        if (waitingFor != null) {
            return StoreKeys.join(IndexKeys.WAITING, waitingFor); // only waiting instances
        }
        List<Candidate> candidates = new ArrayList<>();
        if (definitionId != null && definitionVersion != null) {
            candidates.add(new Candidate(
                    StoreKeys.join(IndexKeys.VERSION, definitionId, IndexKeys.version(definitionVersion)),
                    count(counts, parts -> parts[0].equals(definitionId))));
        } else if (definitionId != null) {
            candidates.add(new Candidate(
                    StoreKeys.join(IndexKeys.DEFINITION, definitionId),
                    count(counts, parts -> parts[0].equals(definitionId))));
        }
        if (statusCode != null) {
            String status = IndexKeys.status(statusCode);
            candidates.add(new Candidate(
                    StoreKeys.join(IndexKeys.STATUS, status), count(counts, parts -> parts[2].equals(status))));
        } else if (state != null) {
            candidates.add(new Candidate(
                    StoreKeys.join(IndexKeys.STATE, state.name()),
                    count(counts, parts -> parts[1].equals(state.name()))));
        }
        return candidates.stream()
                .min((a, b) -> Long.compare(a.estimate(), b.estimate()))
                .map(Candidate::head)
                .orElse(IndexKeys.CREATED);
    }

    /** The sort keys (inclusive, exclusive) that the creation-time bounds allow. */
    public String[] sortRange() {
        // creation times are whole milliseconds: "before 10.0005" is "before 10.001"
        Instant before = to == null || to.getNano() % 1_000_000 == 0
                ? to
                : to.truncatedTo(ChronoUnit.MILLIS).plusMillis(1);
        String lower = before == null ? "" : StoreKeys.newestFirst(before) + StoreKeys.AFTER_SEPARATOR;
        String upper = from == null
                ? String.valueOf(Character.MAX_VALUE)
                : StoreKeys.newestFirst(from) + StoreKeys.AFTER_SEPARATOR;
        return new String[] {lower, upper};
    }

    private record Candidate(String head, long estimate) {}

    private static long count(Map<String, Long> counts, Predicate<String[]> where) {
        return counts.entrySet().stream()
                .filter(entry -> where.test(IndexKeys.countParts(entry.getKey())))
                .mapToLong(Map.Entry::getValue)
                .sum();
    }
}
