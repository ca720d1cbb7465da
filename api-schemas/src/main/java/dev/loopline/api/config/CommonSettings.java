package dev.loopline.api.config;

import static dev.loopline.api.config.Setting.Reader.GATEWAY;
import static dev.loopline.api.config.Setting.Reader.RUNTIME;

import dev.loopline.api.Topics;
import java.nio.file.Path;
import java.util.List;

/** The settings that the runtime and the gateway both read, each declared once. */
public final class CommonSettings {

    public static final Setting<String> BOOTSTRAP_SERVERS = Setting.text("LOOPLINE_BOOTSTRAP_SERVERS")
            .defaultsTo("localhost:9092")
            .readBy(RUNTIME, GATEWAY)
            .doc("the Kafka brokers");

    public static final Setting<String> SCHEMA_REGISTRY_URL = Setting.text("LOOPLINE_SCHEMA_REGISTRY_URL")
            .defaultsTo("http://localhost:8081/apis/ccompat/v7")
            .readBy(RUNTIME, GATEWAY)
            .doc("the Confluent-compatible schema registry API (Apicurio's `ccompat/v7`)");

    public static final Setting<String> TOPIC_PREFIX = Setting.text("LOOPLINE_TOPIC_PREFIX")
            .defaultsTo(Topics.DEFAULT_PREFIX)
            .readBy(RUNTIME, GATEWAY)
            .doc("the prefix of every Loopline topic");

    public static final Setting<Integer> PARTITIONS = Setting.integer("LOOPLINE_PARTITIONS")
            .defaultsTo("6")
            .check(partitions -> partitions >= 1, "must be at least 1")
            .readBy(RUNTIME, GATEWAY)
            .doc("partitions of the topics a process creates when it finds them missing; whichever process"
                    + " starts first creates them, and a topic that exists is never changed. The partition"
                    + " count bounds how far the runtime scales out");

    public static final Setting<Short> REPLICATION_FACTOR = Setting.shortInteger("LOOPLINE_REPLICATION_FACTOR")
            .defaultsTo("1")
            .check(replicas -> replicas >= 1, "must be at least 1")
            .readBy(RUNTIME, GATEWAY)
            .doc("replicas of the topics and Streams changelogs a process creates; use 3 in production,"
                    + " with `min.insync.replicas=2`, which is set on the topics it creates above 1");

    /**
     * How soon a consumer group notices a dead member: the runtime's and the gateway's query side
     * alike. Kafka's default session, 45 s, would be the floor of every failover after a kill -9;
     * the broker's minimum is 6 s (README "Failover").
     */
    public static final Setting<Integer> SESSION_TIMEOUT_MS = Setting.integer("LOOPLINE_KAFKA_SESSION_TIMEOUT_MS")
            .defaultsTo("10000")
            .readBy(RUNTIME, GATEWAY)
            .doc("how soon a silent process loses its partitions, in the runtime and the gateway's query"
                    + " side (Kafka's default is 45000; see \"Failover\")");

    public static final Setting<Integer> HEARTBEAT_INTERVAL_MS = Setting.integer("LOOPLINE_KAFKA_HEARTBEAT_INTERVAL_MS")
            .defaultsTo("3000")
            .readBy(RUNTIME, GATEWAY)
            .doc("how often a group member heartbeats (a third of the session)");

    public static final Setting<String> GROUP_INSTANCE_ID = Setting.text("LOOPLINE_KAFKA_GROUP_INSTANCE_ID")
            .readBy(RUNTIME, GATEWAY)
            .doc("the process's stable name for static membership, e.g. its pod name: a process restarted"
                    + " within the session timeout gets its partitions back without a rebalance. Never share"
                    + " one between two processes (see \"Failover\")");

    public static final Setting<Path> API_KEYS_FILE = Setting.path("LOOPLINE_API_KEYS_FILE")
            .readBy(RUNTIME, GATEWAY)
            .doc("API keys as SHA-256 hashes, with their principals and roles (see \"Security\"): the"
                    + " gateway's callers, and the callers of the runtime's management endpoints");

    public static final Setting<Boolean> AUTH_DISABLED = Setting.bool("LOOPLINE_AUTH_DISABLED")
            .defaultsTo("false")
            .readBy(RUNTIME, GATEWAY)
            .doc("`true` lets every caller in as `anonymous` with every role (a WARN says so at start):"
                    + " for sealed tests only");

    public static final Setting<String> LOG_LEVEL = Setting.text("LOOPLINE_LOG_LEVEL")
            .defaultsTo("INFO")
            .readBy(RUNTIME, GATEWAY)
            .doc("the level of Loopline's own logs (`deploy/logback.xml`)");

    public static final Setting<String> KAFKA_LOG_LEVEL = Setting.text("LOOPLINE_KAFKA_LOG_LEVEL")
            .defaultsTo("WARN")
            .readBy(RUNTIME, GATEWAY)
            .doc("the level of Kafka's client and Streams logs (`deploy/logback.xml`)");

    public static final Setting<String> LOG_FORMAT = Setting.text("LOOPLINE_LOG_FORMAT")
            .defaultsTo("json")
            .readBy(RUNTIME, GATEWAY)
            .doc("`json`: one JSON object per line, with the instance, definition and message ids and the"
                    + " trace id of the work at hand; `text`: lines for people (`deploy/logback.xml`)");

    public static final Setting<String> OTLP_ENDPOINT = Setting.text("OTEL_EXPORTER_OTLP_ENDPOINT")
            .defaultShownAs("none: spans are not exported")
            .readBy(RUNTIME, GATEWAY)
            .doc("an OpenTelemetry collector to export spans to over OTLP (`http://collector:4318`); the"
                    + " other `OTEL_*` variables of OpenTelemetry's SDK apply too. Trace context is carried"
                    + " through Kafka whether or not spans are exported");

    public static final List<Setting<?>> ALL = List.of(
            BOOTSTRAP_SERVERS,
            SCHEMA_REGISTRY_URL,
            TOPIC_PREFIX,
            PARTITIONS,
            REPLICATION_FACTOR,
            SESSION_TIMEOUT_MS,
            HEARTBEAT_INTERVAL_MS,
            GROUP_INSTANCE_ID,
            API_KEYS_FILE,
            AUTH_DISABLED,
            LOG_LEVEL,
            KAFKA_LOG_LEVEL,
            LOG_FORMAT,
            OTLP_ENDPOINT);

    private CommonSettings() {}
}
