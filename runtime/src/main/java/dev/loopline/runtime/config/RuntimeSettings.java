package dev.loopline.runtime.config;

import static dev.loopline.api.config.Setting.Reader.RUNTIME;

import dev.loopline.api.config.CommonSettings;
import dev.loopline.api.config.Setting;
import dev.loopline.runtime.domain.FailurePolicy;
import dev.loopline.runtime.domain.InstanceLimits;
import dev.loopline.runtime.domain.LoopGuard;
import dev.loopline.runtime.topology.TopologyOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The runtime's own settings, each declared once ({@link Setting}); with {@link
 * CommonSettings#ALL}, everything a runtime process reads. A default the state machine also needs
 * (retry backoff, loop limits, instance limits) is taken from the domain's own defaults, so that
 * tests without settings and processes with none behave alike.
 */
public final class RuntimeSettings {

    private static final TopologyOptions TOPOLOGY = TopologyOptions.defaults();
    private static final FailurePolicy FAILURES = FailurePolicy.defaults();
    private static final LoopGuard LOOPS = LoopGuard.defaults();
    private static final InstanceLimits LIMITS = InstanceLimits.defaults();

    public static final Setting<String> APPLICATION_ID = Setting.text("LOOPLINE_APPLICATION_ID")
            .defaultsTo("loopline-runtime")
            .readBy(RUNTIME)
            .doc("the Streams application id of the instance half; the event half's is this with `-events`"
                    + " appended. All runtime processes of one deployment share both");

    public static final Setting<Path> STATE_DIR = Setting.path("LOOPLINE_STATE_DIR")
            .defaultsTo("/tmp/loopline-state")
            .readBy(RUNTIME)
            .doc("the RocksDB stores; give it a persistent volume");

    public static final Setting<Duration> CORRELATION_TTL = Setting.duration("LOOPLINE_CORRELATION_TTL")
            .defaultsTo(TOPOLOGY.correlationTtl().toString())
            .readBy(RUNTIME)
            .doc("how long an event waits for a wait to open");

    public static final Setting<Duration> TIMER_INTERVAL = Setting.duration("LOOPLINE_TIMER_INTERVAL")
            .defaultsTo(TOPOLOGY.timerInterval().toString())
            .readBy(RUNTIME)
            .doc("how often due timers are looked for (wall clock)");

    public static final Setting<String> FAILURE_RULES = Setting.text("LOOPLINE_FAILURE_RULES")
            .defaultsTo(FailurePolicy.DEFAULT_RULES)
            .readBy(RUNTIME)
            .doc("how a failed acknowledgement is handled: `code=action`, `category:name=action` and"
                    + " `*=action`, with the actions `retry`, `suspend` and `fail` (see \"Failures and loops\")");

    public static final Setting<Duration> RETRY_BASE = Setting.duration("LOOPLINE_RETRY_BASE")
            .defaultsTo(FAILURES.base().toString())
            .readBy(RUNTIME)
            .doc("the first retry's delay; each next one doubles it");

    public static final Setting<Duration> RETRY_CAP = Setting.duration("LOOPLINE_RETRY_CAP")
            .defaultsTo(FAILURES.cap().toString())
            .readBy(RUNTIME)
            .doc("the longest delay between retries");

    public static final Setting<Integer> RETRY_MAX = Setting.integer("LOOPLINE_RETRY_MAX")
            .defaultsTo(Integer.toString(FAILURES.maxRetries()))
            .readBy(RUNTIME)
            .doc("retries of one step before it fails");

    public static final Setting<Integer> LOOP_MAX_DEPTH = Setting.integer("LOOPLINE_LOOP_MAX_DEPTH")
            .defaultsTo(Integer.toString(LOOPS.maxDepth()))
            .readBy(RUNTIME)
            .doc("loop protection: how deep a chain of workflows causing events may go");

    public static final Setting<Duration> LOOP_DEPTH_WINDOW = Setting.duration("LOOPLINE_LOOP_DEPTH_WINDOW")
            .defaultsTo(LOOPS.depthWindow().toString())
            .readBy(RUNTIME)
            .doc("loop protection: the window in which the depth counts");

    public static final Setting<Integer> LOOP_MAX_RUNS_PER_RECORD = Setting.integer("LOOPLINE_LOOP_MAX_RUNS_PER_RECORD")
            .defaultsTo(Integer.toString(LOOPS.maxRunsPerRecord()))
            .readBy(RUNTIME)
            .doc("loop protection: runs of one definition on one record within the window");

    public static final Setting<Duration> LOOP_RUNS_WINDOW = Setting.duration("LOOPLINE_LOOP_RUNS_WINDOW")
            .defaultsTo(LOOPS.runsWindow().toString())
            .readBy(RUNTIME)
            .doc("loop protection: the window of the runs per record");

    public static final Setting<Duration> RETENTION = Setting.duration("LOOPLINE_RETENTION")
            .defaultsTo(TOPOLOGY.retention().toString())
            .readBy(RUNTIME)
            .doc("how long succeeded and canceled instances are kept (failed ones stay until deleted)");

    public static final Setting<Integer> LIMIT_RECORD_BYTES = Setting.integer("LOOPLINE_LIMIT_RECORD_BYTES")
            .defaultsTo(Integer.toString(TopologyOptions.DEFAULT_MAX_RECORD_BYTES))
            .readBy(RUNTIME)
            .doc("the largest event, acknowledgement or definition record the runtime reads; larger ones"
                    + " go to the dead-letter topic (see \"Security\")");

    public static final Setting<Integer> LIMIT_VARIABLES_BYTES = Setting.integer("LOOPLINE_LIMIT_VARIABLES_BYTES")
            .defaultsTo(Integer.toString(LIMITS.maxVariablesBytes()))
            .readBy(RUNTIME)
            .doc("the variables and step outputs of one instance together; an instance that would exceed"
                    + " it fails alone (31, `InstanceLimitExceeded`)");

    public static final Setting<Integer> LIMIT_VALUE_BYTES = Setting.integer("LOOPLINE_LIMIT_VALUE_BYTES")
            .defaultsTo(Integer.toString(LIMITS.maxValueBytes()))
            .readBy(RUNTIME)
            .doc("one variable, step output or message payload value");

    public static final Setting<Integer> LIMIT_PAYLOAD_BYTES = Setting.integer("LOOPLINE_LIMIT_PAYLOAD_BYTES")
            .defaultsTo(Integer.toString(LIMITS.maxPayloadBytes()))
            .readBy(RUNTIME)
            .doc("the payload of one message");

    public static final Setting<Long> ROCKSDB_MEMORY_MB = Setting.longInteger("LOOPLINE_ROCKSDB_MEMORY_MB")
            .defaultsTo("256")
            .readBy(RUNTIME)
            .doc("one off-heap budget for all the process's RocksDB stores (block cache, memtables, index"
                    + " and filter blocks); `0` gives each store Kafka Streams' defaults");

    public static final Setting<String> MANAGEMENT_HOST = Setting.text("LOOPLINE_MANAGEMENT_HOST")
            .defaultsTo("0.0.0.0")
            .readBy(RUNTIME)
            .doc("the interface of the runtime's management endpoints (`/metrics`, `/health/live`,"
                    + " `/health/ready`)");

    public static final Setting<Integer> MANAGEMENT_PORT = Setting.integer("LOOPLINE_MANAGEMENT_PORT")
            .defaultsTo("9464")
            .check(port -> port >= -1 && port <= 65535, "must be a port, 0 for any free one or -1 for none")
            .readBy(RUNTIME)
            .doc("their port: `0` picks a free one, `-1` serves none. They answer callers with a key of"
                    + " `LOOPLINE_API_KEYS_FILE` (role `monitor`, or `reader` for health), and are off"
                    + " without one (see \"Operating Loopline\")");

    /**
     * Under exactly-once every hop of the message loop waits for its transaction to commit, so the
     * commit interval sets the latency of every step; a shorter one did not lower peak throughput
     * (docs/benchmarks.md, "Tuning").
     */
    public static final Setting<Long> COMMIT_INTERVAL_MS = Setting.longInteger("LOOPLINE_KAFKA_COMMIT_INTERVAL_MS")
            .defaultsTo("10")
            .readBy(RUNTIME)
            .doc("under exactly-once every step waits for a commit, so this is the latency of a step;"
                    + " Kafka's own default is 100 (see \"Tuning\")");

    /**
     * A standby copy of each task's state on another process, kept current from the changelog, so
     * that a failover does not restore from scratch; with one process it does nothing.
     */
    public static final Setting<Integer> NUM_STANDBY_REPLICAS = Setting.integer("LOOPLINE_KAFKA_NUM_STANDBY_REPLICAS")
            .defaultsTo("1")
            .readBy(RUNTIME)
            .doc("standby copies of each task's state on other processes, so that a failover does not"
                    + " restore from scratch (see \"Failover\")");

    /** No linger cost peak throughput, a longer one added latency for nothing (docs/benchmarks.md, "Tuning"). */
    public static final Setting<Integer> LINGER_MS = Setting.integer("LOOPLINE_KAFKA_LINGER_MS")
            .defaultsTo("5")
            .readBy(RUNTIME)
            .doc("how long the Streams producers wait to fill a batch (see \"Tuning\")");

    public static final Setting<Integer> NUM_STREAM_THREADS = Setting.integer("LOOPLINE_KAFKA_NUM_STREAM_THREADS")
            .defaultsTo("1")
            .readBy(RUNTIME)
            .doc("stream threads per application (a process runs two applications); scale out with"
                    + " processes first (see \"Tuning\")");

    /** Uncommitted bytes per application before an early commit (Kafka's default: 64 MiB). */
    public static final Setting<Long> UNCOMMITTED_MAX_BYTES = Setting.longInteger(
                    "LOOPLINE_KAFKA_STATESTORE_UNCOMMITTED_MAX_BYTES")
            .defaultsTo(Long.toString(16L * 1024 * 1024))
            .readBy(RUNTIME)
            .doc("uncommitted store writes an application buffers before it commits early (transactional"
                    + " state stores; see \"Failover\")");

    /** The runtime's settings in the order the README lists them. */
    public static final List<Setting<?>> OWN = List.of(
            APPLICATION_ID,
            STATE_DIR,
            CORRELATION_TTL,
            TIMER_INTERVAL,
            FAILURE_RULES,
            RETRY_BASE,
            RETRY_CAP,
            RETRY_MAX,
            LOOP_MAX_DEPTH,
            LOOP_DEPTH_WINDOW,
            LOOP_MAX_RUNS_PER_RECORD,
            LOOP_RUNS_WINDOW,
            RETENTION,
            LIMIT_RECORD_BYTES,
            LIMIT_VARIABLES_BYTES,
            LIMIT_VALUE_BYTES,
            LIMIT_PAYLOAD_BYTES,
            ROCKSDB_MEMORY_MB,
            MANAGEMENT_HOST,
            MANAGEMENT_PORT,
            COMMIT_INTERVAL_MS,
            NUM_STANDBY_REPLICAS,
            LINGER_MS,
            NUM_STREAM_THREADS,
            UNCOMMITTED_MAX_BYTES);

    /** Everything a runtime process reads: the common settings, then its own. */
    public static List<Setting<?>> all() {
        List<Setting<?>> all = new ArrayList<>(CommonSettings.ALL);
        all.addAll(OWN);
        return List.copyOf(all);
    }

    private RuntimeSettings() {}
}
