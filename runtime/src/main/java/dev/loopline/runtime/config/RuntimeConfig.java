package dev.loopline.runtime.config;

import dev.loopline.api.Topics;
import dev.loopline.api.config.KafkaOverrides;
import dev.loopline.api.config.Partitions;
import dev.loopline.api.config.ReplicationFactor;
import dev.loopline.runtime.domain.FailurePolicy;
import dev.loopline.runtime.domain.InstanceLimits;
import dev.loopline.runtime.domain.LoopGuard;
import dev.loopline.runtime.domain.ReplyTokens;
import dev.loopline.runtime.topology.TopologyOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The runtime's settings, from environment variables (or the same names as system properties in
 * lower case with dots: {@code LOOPLINE_TOPIC_PREFIX} or {@code loopline.topic.prefix}).
 *
 * <table>
 *   <tr><th>variable</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>LOOPLINE_BOOTSTRAP_SERVERS</td><td>localhost:9092</td><td>Kafka brokers</td></tr>
 *   <tr><td>LOOPLINE_SCHEMA_REGISTRY_URL</td><td>http://localhost:8081/apis/ccompat/v7</td><td>Confluent-compatible registry</td></tr>
 *   <tr><td>LOOPLINE_TOPIC_PREFIX</td><td>loopline.</td><td>prefix of every topic</td></tr>
 *   <tr><td>LOOPLINE_APPLICATION_ID</td><td>loopline-runtime</td><td>Kafka Streams application id (consumer group)</td></tr>
 *   <tr><td>LOOPLINE_STATE_DIR</td><td>/tmp/loopline-state</td><td>RocksDB state</td></tr>
 *   <tr><td>LOOPLINE_PARTITIONS</td><td>6</td><td>partitions of topics the runtime creates</td></tr>
 *   <tr><td>LOOPLINE_REPLICATION_FACTOR</td><td>1</td><td>replicas of topics the runtime creates (3 in production)</td></tr>
 *   <tr><td>LOOPLINE_CORRELATION_TTL</td><td>PT1H</td><td>how long an event waits for an instance to start waiting for it</td></tr>
 *   <tr><td>LOOPLINE_TIMER_INTERVAL</td><td>PT0.2S</td><td>how often due timers are looked for (wall clock)</td></tr>
 *   <tr><td>LOOPLINE_LOOP_MAX_DEPTH, LOOPLINE_LOOP_DEPTH_WINDOW</td><td>8, PT1H</td><td>infinite loop: causation depth</td></tr>
 *   <tr><td>LOOPLINE_LOOP_MAX_RUNS_PER_RECORD, LOOPLINE_LOOP_RUNS_WINDOW</td><td>16, PT1H</td><td>infinite loop: runs of one definition on one record</td></tr>
 *   <tr><td>LOOPLINE_FAILURE_RULES</td><td>see FailurePolicy</td><td>code=action, category:name=action, *=action (retry, suspend, fail)</td></tr>
 *   <tr><td>LOOPLINE_RETRY_BASE, LOOPLINE_RETRY_CAP, LOOPLINE_RETRY_MAX</td><td>PT1S, PT15M, 10</td><td>exponential backoff of retried steps</td></tr>
 *   <tr><td>LOOPLINE_RETENTION</td><td>P30D</td><td>how long succeeded and canceled instances are kept (failed ones stay until deleted)</td></tr>
 *   <tr><td>LOOPLINE_LIMIT_RECORD_BYTES</td><td>262144</td><td>largest event, acknowledgement or definition record the runtime reads; larger ones go to the dead-letter topic</td></tr>
 *   <tr><td>LOOPLINE_LIMIT_VARIABLES_BYTES</td><td>262144</td><td>the variables and step outputs of one instance together; an instance that would exceed it fails (31, InstanceLimitExceeded)</td></tr>
 *   <tr><td>LOOPLINE_LIMIT_VALUE_BYTES</td><td>65536</td><td>one variable, step output or message payload value</td></tr>
 *   <tr><td>LOOPLINE_LIMIT_PAYLOAD_BYTES</td><td>131072</td><td>the payload of one message</td></tr>
 *   <tr><td>LOOPLINE_ROCKSDB_MEMORY_MB</td><td>256</td><td>off-heap budget shared by all RocksDB stores of the process (block cache, memtables, index and filters); 0: each store takes Kafka Streams' defaults</td></tr>
 *   <tr><td>LOOPLINE_KAFKA_*</td><td></td><td>any Kafka Streams/client property: LOOPLINE_KAFKA_COMMIT_INTERVAL_MS=50 sets commit.interval.ms</td></tr>
 * </table>
 */
public record RuntimeConfig(
        String bootstrapServers,
        String schemaRegistryUrl,
        Topics topics,
        String applicationId,
        Path stateDir,
        int partitions,
        short replicationFactor,
        Duration correlationTtl,
        Duration timerInterval,
        LoopGuard loopGuard,
        FailurePolicy failurePolicy,
        Duration retention,
        long rocksDbMemoryMb,
        int maxRecordBytes,
        InstanceLimits instanceLimits,
        Map<String, String> kafkaOverrides) {

    public RuntimeConfig {
        Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        Objects.requireNonNull(schemaRegistryUrl, "schemaRegistryUrl");
        kafkaOverrides = Map.copyOf(kafkaOverrides);
    }

    public static RuntimeConfig fromEnvironment() {
        Map<String, String> settings = new HashMap<>(System.getenv());
        System.getProperties().forEach((key, value) -> {
            String name = key.toString();
            if (name.startsWith("loopline.")) {
                settings.put(name.toUpperCase(Locale.ROOT).replace('.', '_'), value.toString());
            }
        });
        return from(settings);
    }

    public static RuntimeConfig from(Map<String, String> settings) {
        return new RuntimeConfig(
                settings.getOrDefault("LOOPLINE_BOOTSTRAP_SERVERS", "localhost:9092"),
                settings.getOrDefault("LOOPLINE_SCHEMA_REGISTRY_URL", "http://localhost:8081/apis/ccompat/v7"),
                new Topics(settings.getOrDefault("LOOPLINE_TOPIC_PREFIX", Topics.DEFAULT_PREFIX)),
                settings.getOrDefault("LOOPLINE_APPLICATION_ID", "loopline-runtime"),
                Path.of(settings.getOrDefault("LOOPLINE_STATE_DIR", "/tmp/loopline-state")),
                Partitions.from(settings),
                ReplicationFactor.from(settings),
                Duration.parse(settings.getOrDefault("LOOPLINE_CORRELATION_TTL", "PT1H")),
                Duration.parse(settings.getOrDefault("LOOPLINE_TIMER_INTERVAL", "PT0.2S")),
                new LoopGuard(
                        Integer.parseInt(settings.getOrDefault("LOOPLINE_LOOP_MAX_DEPTH", "8")),
                        Duration.parse(settings.getOrDefault("LOOPLINE_LOOP_DEPTH_WINDOW", "PT1H")),
                        Integer.parseInt(settings.getOrDefault("LOOPLINE_LOOP_MAX_RUNS_PER_RECORD", "16")),
                        Duration.parse(settings.getOrDefault("LOOPLINE_LOOP_RUNS_WINDOW", "PT1H"))),
                new FailurePolicy(
                        FailurePolicy.parse(
                                settings.getOrDefault("LOOPLINE_FAILURE_RULES", FailurePolicy.DEFAULT_RULES)),
                        Duration.parse(settings.getOrDefault("LOOPLINE_RETRY_BASE", "PT1S")),
                        Duration.parse(settings.getOrDefault("LOOPLINE_RETRY_CAP", "PT15M")),
                        Integer.parseInt(settings.getOrDefault("LOOPLINE_RETRY_MAX", "10"))),
                Duration.parse(settings.getOrDefault("LOOPLINE_RETENTION", "P30D")),
                Long.parseLong(settings.getOrDefault("LOOPLINE_ROCKSDB_MEMORY_MB", "256")),
                Integer.parseInt(settings.getOrDefault(
                        "LOOPLINE_LIMIT_RECORD_BYTES", Integer.toString(TopologyOptions.DEFAULT_MAX_RECORD_BYTES))),
                new InstanceLimits(
                        Integer.parseInt(settings.getOrDefault(
                                "LOOPLINE_LIMIT_VARIABLES_BYTES",
                                Integer.toString(InstanceLimits.defaults().maxVariablesBytes()))),
                        Integer.parseInt(settings.getOrDefault(
                                "LOOPLINE_LIMIT_VALUE_BYTES",
                                Integer.toString(InstanceLimits.defaults().maxValueBytes()))),
                        Integer.parseInt(settings.getOrDefault(
                                "LOOPLINE_LIMIT_PAYLOAD_BYTES",
                                Integer.toString(InstanceLimits.defaults().maxPayloadBytes())))),
                KafkaOverrides.from(settings));
    }

    /** The topology's tunables. */
    public TopologyOptions topologyOptions() {
        return new TopologyOptions(
                correlationTtl,
                timerInterval,
                TopologyOptions.defaults().maxTimersPerScan(),
                loopGuard,
                failurePolicy,
                retention,
                maxRecordBytes,
                instanceLimits,
                ReplyTokens.random());
    }

    private static String rules(FailurePolicy policy) {
        StringBuilder rules = new StringBuilder();
        policy.rules()
                .forEach((match, action) -> rules.append(rules.length() == 0 ? "" : ",")
                        .append(match)
                        .append('=')
                        .append(action.name().toLowerCase(Locale.ROOT)));
        return rules.toString();
    }

    /** The same settings as environment variables, e.g. to start a runtime child process. */
    public Map<String, String> toEnvironment() {
        Map<String, String> env = new HashMap<>();
        env.put("LOOPLINE_BOOTSTRAP_SERVERS", bootstrapServers);
        env.put("LOOPLINE_SCHEMA_REGISTRY_URL", schemaRegistryUrl);
        env.put("LOOPLINE_TOPIC_PREFIX", topics.prefix());
        env.put("LOOPLINE_APPLICATION_ID", applicationId);
        env.put("LOOPLINE_STATE_DIR", stateDir.toString());
        env.put(Partitions.VARIABLE, Integer.toString(partitions));
        env.put(ReplicationFactor.VARIABLE, Short.toString(replicationFactor));
        env.put("LOOPLINE_CORRELATION_TTL", correlationTtl.toString());
        env.put("LOOPLINE_TIMER_INTERVAL", timerInterval.toString());
        env.put("LOOPLINE_ROCKSDB_MEMORY_MB", Long.toString(rocksDbMemoryMb));
        env.put("LOOPLINE_LOOP_MAX_DEPTH", Integer.toString(loopGuard.maxDepth()));
        env.put("LOOPLINE_LOOP_DEPTH_WINDOW", loopGuard.depthWindow().toString());
        env.put("LOOPLINE_LOOP_MAX_RUNS_PER_RECORD", Integer.toString(loopGuard.maxRunsPerRecord()));
        env.put("LOOPLINE_LOOP_RUNS_WINDOW", loopGuard.runsWindow().toString());
        env.put("LOOPLINE_FAILURE_RULES", rules(failurePolicy));
        env.put("LOOPLINE_RETRY_BASE", failurePolicy.base().toString());
        env.put("LOOPLINE_RETRY_CAP", failurePolicy.cap().toString());
        env.put("LOOPLINE_RETRY_MAX", Integer.toString(failurePolicy.maxRetries()));
        env.put("LOOPLINE_RETENTION", retention.toString());
        env.put("LOOPLINE_LIMIT_RECORD_BYTES", Integer.toString(maxRecordBytes));
        env.put("LOOPLINE_LIMIT_VARIABLES_BYTES", Integer.toString(instanceLimits.maxVariablesBytes()));
        env.put("LOOPLINE_LIMIT_VALUE_BYTES", Integer.toString(instanceLimits.maxValueBytes()));
        env.put("LOOPLINE_LIMIT_PAYLOAD_BYTES", Integer.toString(instanceLimits.maxPayloadBytes()));
        env.putAll(KafkaOverrides.toEnvironment(kafkaOverrides));
        return env;
    }
}
