package dev.loopline.runtime.domain;

import dev.loopline.api.v1.Causation;
import dev.loopline.api.v1.PlatformEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Dynamics' two infinite-loop rules:
 *
 * <ol>
 *   <li>causation depth: each workflow-caused event carries depth + 1; an event past {@code
 *       maxDepth} within {@code depthWindow} of its chain's start starts a job that fails at once;
 *   <li>runs per record: a definition that runs more than {@code maxRunsPerRecord} times on the
 *       same record within {@code runsWindow} gets a job that fails at once.
 * </ol>
 *
 * Defaults are Dynamics': depth 8 within one hour, 16 runs on one record within one hour.
 */
public record LoopGuard(int maxDepth, Duration depthWindow, int maxRunsPerRecord, Duration runsWindow) {

    public static final String ERROR_CODE = "InfiniteLoop";

    public static LoopGuard defaults() {
        return new LoopGuard(8, Duration.ofHours(1), 16, Duration.ofHours(1));
    }

    /** The infinite-loop error for a chain too deep, if this event's chain is. */
    public Optional<String> depthViolation(PlatformEvent event, Instant now) {
        Causation causation = event.getCausation();
        if (causation == null || causation.getDepth() <= maxDepth) {
            return Optional.empty();
        }
        Instant chainStart = causation.getChainStartedAt() == null ? now : causation.getChainStartedAt();
        if (Duration.between(chainStart, now).compareTo(depthWindow) > 0) {
            return Optional.empty();
        }
        return Optional.of("infinite loop: causation depth " + causation.getDepth() + " exceeds " + maxDepth
                + " within " + depthWindow + " (chain from instance " + causation.getOriginatingInstanceId() + ")");
    }

    /** The start times of runs still inside the window, with this one added. */
    public List<Instant> recordRun(List<Instant> earlier, Instant now) {
        List<Instant> recent = new ArrayList<>();
        for (Instant run : earlier) {
            if (Duration.between(run, now).compareTo(runsWindow) <= 0) {
                recent.add(run);
            }
        }
        recent.add(now);
        int keep = maxRunsPerRecord + 1;
        return recent.size() > keep ? List.copyOf(recent.subList(recent.size() - keep, recent.size())) : recent;
    }

    /** The infinite-loop error if the runs (this one included) are too many for the window. */
    public Optional<String> runsViolation(List<Instant> recentWithThisOne, String definitionId, PlatformEvent event) {
        if (recentWithThisOne.size() <= maxRunsPerRecord) {
            return Optional.empty();
        }
        return Optional.of("infinite loop: " + definitionId + " ran more than " + maxRunsPerRecord + " times on "
                + event.getEntityType() + " " + event.getEntityId() + " within " + runsWindow);
    }

    /** The causation a workflow-caused event carries: one deeper than the trigger's, same chain start. */
    public static Causation next(String instanceId, PlatformEvent trigger) {
        Causation cause = trigger.getCausation();
        int depth = cause == null ? 0 : cause.getDepth();
        Instant chainStart = cause == null || cause.getChainStartedAt() == null
                ? trigger.getOccurredAt()
                : cause.getChainStartedAt();
        return new Causation(instanceId, depth + 1, chainStart);
    }
}
