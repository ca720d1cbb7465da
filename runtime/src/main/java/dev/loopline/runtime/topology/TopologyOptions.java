package dev.loopline.runtime.topology;

import dev.loopline.definition.expression.Expressions;
import dev.loopline.runtime.domain.FailurePolicy;
import dev.loopline.runtime.domain.InstanceLimits;
import dev.loopline.runtime.domain.InstanceMachine;
import dev.loopline.runtime.domain.LoopGuard;
import dev.loopline.runtime.domain.ReplyTokens;
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
 * @param maxRecordBytes the largest event, acknowledgement or definition record read; a larger one
 *     goes to the dead-letter topic (see {@link BadRecordHandler})
 * @param instanceLimits what one instance may hold and send
 * @param replyTokens where the reply tokens of posted messages come from (random; fixed in tests)
 * @param telemetry the metrics and trace context the processors report (none in tests)
 */
public record TopologyOptions(
        Duration correlationTtl,
        Duration timerInterval,
        int maxTimersPerScan,
        LoopGuard loopGuard,
        FailurePolicy failurePolicy,
        Duration retention,
        int maxRecordBytes,
        InstanceLimits instanceLimits,
        ReplyTokens replyTokens,
        Telemetry telemetry) {

    /** 256 KiB: with the instance limits, an instance's records then stay below Kafka's default 1 MiB. */
    public static final int DEFAULT_MAX_RECORD_BYTES = 256 * 1024;

    public static TopologyOptions defaults() {
        return new TopologyOptions(
                Duration.ofHours(1),
                Duration.ofMillis(200),
                1_000,
                LoopGuard.defaults(),
                FailurePolicy.defaults(),
                InstanceMachine.DEFAULT_RETENTION,
                DEFAULT_MAX_RECORD_BYTES,
                InstanceLimits.defaults(),
                ReplyTokens.random(),
                Telemetry.none());
    }

    public TopologyOptions withReplyTokens(ReplyTokens tokens) {
        return new TopologyOptions(
                correlationTtl,
                timerInterval,
                maxTimersPerScan,
                loopGuard,
                failurePolicy,
                retention,
                maxRecordBytes,
                instanceLimits,
                tokens,
                telemetry);
    }

    public TopologyOptions withTelemetry(Telemetry reporting) {
        return new TopologyOptions(
                correlationTtl,
                timerInterval,
                maxTimersPerScan,
                loopGuard,
                failurePolicy,
                retention,
                maxRecordBytes,
                instanceLimits,
                replyTokens,
                reporting);
    }

    /** The state machine these options describe. */
    InstanceMachine machine() {
        return new InstanceMachine(new Expressions(), failurePolicy, retention, instanceLimits, replyTokens);
    }
}
