package dev.loopline.runtime.topology;

import dev.loopline.runtime.domain.FailurePolicy;
import dev.loopline.runtime.domain.InstanceMachine;
import dev.loopline.runtime.domain.LoopGuard;
import java.time.Duration;

/**
 * Tunables of the topology.
 *
 * @param correlationTtl how long an event is kept for waits that open after it arrived
 * @param timerInterval how often (wall clock) due timers and expired events are looked for; a
 *     timer fires at most this late, plus the commit interval, under normal load
 * @param maxTimersPerScan bound on the work one punctuation does, so it cannot stall processing
 * @param loopGuard the infinite-loop limits
 * @param failurePolicy what failed steps do: retry, suspend or fail
 * @param retention how long succeeded and canceled instances are kept (failed ones stay until deleted)
 */
public record TopologyOptions(
        Duration correlationTtl,
        Duration timerInterval,
        int maxTimersPerScan,
        LoopGuard loopGuard,
        FailurePolicy failurePolicy,
        Duration retention) {

    public static TopologyOptions defaults() {
        return new TopologyOptions(
                Duration.ofHours(1),
                Duration.ofMillis(200),
                1_000,
                LoopGuard.defaults(),
                FailurePolicy.defaults(),
                InstanceMachine.DEFAULT_RETENTION);
    }
}
