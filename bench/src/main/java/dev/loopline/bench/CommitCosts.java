package dev.loopline.bench;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;

/**
 * Where a stream thread's time goes under exactly-once, from the cumulative Kafka Streams and
 * producer metrics taken before and after a run: how many commits, and how long the transactional
 * producer spent per commit flushing its outputs, sending the input offsets and committing the
 * transaction. Summed over every stream thread of the runtime.
 */
final class CommitCosts {

    /** Cumulative metrics (group/name → sum over clients): see {@link #between}. */
    private static final Map<String, String> TOTALS = Map.of(
            "commits", "stream-thread-metrics/commit-total",
            "processed", "stream-thread-metrics/process-total",
            "flushNs", "producer-metrics/flush-time-ns-total",
            "sendOffsetsNs", "producer-metrics/txn-send-offsets-time-ns-total",
            "commitTxnNs", "producer-metrics/txn-commit-time-ns-total");

    private final Supplier<Map<MetricName, ? extends Metric>> metrics;

    CommitCosts(Supplier<Map<MetricName, ? extends Metric>> metrics) {
        this.metrics = metrics;
    }

    /**
     * Windowed maxima (Kafka's metrics keep the last two samples; the bench sets 5 s samples, so the
     * last 5-10 s of a run): the slowest commit and punctuation of any stream thread, in ms. Stalls
     * there show in the p99.
     */
    private static final Map<String, String> MAXIMA = Map.of(
            "maxCommitMs", "stream-thread-metrics/commit-latency-max",
            "maxPunctuateMs", "stream-thread-metrics/punctuate-latency-max");

    Map<String, Double> snapshot() {
        Map<String, Double> totals = new HashMap<>();
        metrics.get().forEach((name, metric) -> {
            String key = name.group() + "/" + name.name();
            MAXIMA.forEach((label, wanted) -> {
                if (wanted.equals(key)
                        && metric.metricValue() instanceof Number value
                        && !Double.isNaN(value.doubleValue())) {
                    totals.merge(label, value.doubleValue(), Math::max);
                }
            });
            TOTALS.forEach((label, wanted) -> {
                if (wanted.equals(key) && metric.metricValue() instanceof Number value) {
                    totals.merge(label, value.doubleValue(), Double::sum);
                }
            });
        });
        return totals;
    }

    /** What one run cost, from two snapshots: commits per second and milliseconds per commit. */
    static Result between(Map<String, Double> before, Map<String, Double> after, double seconds) {
        double commits = delta(before, after, "commits");
        double perCommit = Math.max(1, commits);
        return new Result(
                commits / seconds,
                delta(before, after, "processed") / perCommit,
                delta(before, after, "flushNs") / perCommit / 1e6,
                delta(before, after, "sendOffsetsNs") / perCommit / 1e6,
                delta(before, after, "commitTxnNs") / perCommit / 1e6,
                after.getOrDefault("maxCommitMs", 0.0),
                after.getOrDefault("maxPunctuateMs", 0.0));
    }

    private static double delta(Map<String, Double> before, Map<String, Double> after, String label) {
        return after.getOrDefault(label, 0.0) - before.getOrDefault(label, 0.0);
    }

    /**
     * Commits per second (all threads), records processed per commit, ms per commit in each phase,
     * and the slowest commit and punctuation (windowed, ms).
     */
    record Result(
            double commitsPerSecond,
            double recordsPerCommit,
            double flushMs,
            double sendOffsetsMs,
            double commitTransactionMs,
            double maxCommitMs,
            double maxPunctuateMs) {

        Map<String, Object> toMap() {
            return Map.of(
                    "commitsPerSecond", commitsPerSecond,
                    "recordsPerCommit", recordsPerCommit,
                    "flushMsPerCommit", flushMs,
                    "sendOffsetsMsPerCommit", sendOffsetsMs,
                    "commitTransactionMsPerCommit", commitTransactionMs,
                    "maxCommitMs", maxCommitMs,
                    "maxPunctuateMs", maxPunctuateMs);
        }
    }
}
