package dev.loopline.runtime.config;

import dev.loopline.api.Topics;
import dev.loopline.api.config.CommonSettings;
import dev.loopline.api.config.KafkaOverrides;
import dev.loopline.runtime.domain.FailurePolicy;
import dev.loopline.runtime.domain.InstanceLimits;
import dev.loopline.runtime.domain.LoopGuard;
import dev.loopline.runtime.domain.ReplyTokens;
import dev.loopline.runtime.topology.Telemetry;
import dev.loopline.runtime.topology.TopologyOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The runtime's settings, read from environment variables (or the same names as system properties
 * in lower case with dots: {@code LOOPLINE_TOPIC_PREFIX} or {@code loopline.topic.prefix}). Each is
 * declared once, with its default and meaning, in {@link CommonSettings} or {@link RuntimeSettings};
 * {@code LOOPLINE_KAFKA_*} passes any Kafka Streams or client property through ({@link
 * KafkaOverrides}).
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
        ManagementSettings management,
        Map<String, String> kafkaOverrides) {

    public RuntimeConfig {
        Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        Objects.requireNonNull(schemaRegistryUrl, "schemaRegistryUrl");
        kafkaOverrides = Map.copyOf(kafkaOverrides);
    }

    public static RuntimeConfig fromEnvironment() {
        return from(environment());
    }

    /** The environment, with {@code loopline.*} system properties as the variables they name. */
    public static Map<String, String> environment() {
        Map<String, String> settings = new HashMap<>(System.getenv());
        System.getProperties().forEach((key, value) -> {
            String name = key.toString();
            if (name.startsWith("loopline.")) {
                settings.put(name.toUpperCase(Locale.ROOT).replace('.', '_'), value.toString());
            }
        });
        return settings;
    }

    public static RuntimeConfig from(Map<String, String> settings) {
        return new RuntimeConfig(
                CommonSettings.BOOTSTRAP_SERVERS.from(settings),
                CommonSettings.SCHEMA_REGISTRY_URL.from(settings),
                new Topics(CommonSettings.TOPIC_PREFIX.from(settings)),
                RuntimeSettings.APPLICATION_ID.from(settings),
                RuntimeSettings.STATE_DIR.from(settings),
                CommonSettings.PARTITIONS.from(settings),
                CommonSettings.REPLICATION_FACTOR.from(settings),
                RuntimeSettings.CORRELATION_TTL.from(settings),
                RuntimeSettings.TIMER_INTERVAL.from(settings),
                new LoopGuard(
                        RuntimeSettings.LOOP_MAX_DEPTH.from(settings),
                        RuntimeSettings.LOOP_DEPTH_WINDOW.from(settings),
                        RuntimeSettings.LOOP_MAX_RUNS_PER_RECORD.from(settings),
                        RuntimeSettings.LOOP_RUNS_WINDOW.from(settings)),
                new FailurePolicy(
                        FailurePolicy.parse(RuntimeSettings.FAILURE_RULES.from(settings)),
                        RuntimeSettings.RETRY_BASE.from(settings),
                        RuntimeSettings.RETRY_CAP.from(settings),
                        RuntimeSettings.RETRY_MAX.from(settings)),
                RuntimeSettings.RETENTION.from(settings),
                RuntimeSettings.ROCKSDB_MEMORY_MB.from(settings),
                RuntimeSettings.LIMIT_RECORD_BYTES.from(settings),
                new InstanceLimits(
                        RuntimeSettings.LIMIT_VARIABLES_BYTES.from(settings),
                        RuntimeSettings.LIMIT_VALUE_BYTES.from(settings),
                        RuntimeSettings.LIMIT_PAYLOAD_BYTES.from(settings)),
                ManagementSettings.from(settings),
                KafkaOverrides.from(settings));
    }

    /** The topology's tunables; the process gives them its telemetry ({@link TopologyOptions#withTelemetry}). */
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
                ReplyTokens.random(),
                Telemetry.none());
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
        CommonSettings.BOOTSTRAP_SERVERS.put(env, bootstrapServers);
        CommonSettings.SCHEMA_REGISTRY_URL.put(env, schemaRegistryUrl);
        CommonSettings.TOPIC_PREFIX.put(env, topics.prefix());
        CommonSettings.PARTITIONS.put(env, partitions);
        CommonSettings.REPLICATION_FACTOR.put(env, replicationFactor);
        RuntimeSettings.APPLICATION_ID.put(env, applicationId);
        RuntimeSettings.STATE_DIR.put(env, stateDir);
        RuntimeSettings.CORRELATION_TTL.put(env, correlationTtl);
        RuntimeSettings.TIMER_INTERVAL.put(env, timerInterval);
        RuntimeSettings.ROCKSDB_MEMORY_MB.put(env, rocksDbMemoryMb);
        RuntimeSettings.LOOP_MAX_DEPTH.put(env, loopGuard.maxDepth());
        RuntimeSettings.LOOP_DEPTH_WINDOW.put(env, loopGuard.depthWindow());
        RuntimeSettings.LOOP_MAX_RUNS_PER_RECORD.put(env, loopGuard.maxRunsPerRecord());
        RuntimeSettings.LOOP_RUNS_WINDOW.put(env, loopGuard.runsWindow());
        RuntimeSettings.FAILURE_RULES.put(env, rules(failurePolicy));
        RuntimeSettings.RETRY_BASE.put(env, failurePolicy.base());
        RuntimeSettings.RETRY_CAP.put(env, failurePolicy.cap());
        RuntimeSettings.RETRY_MAX.put(env, failurePolicy.maxRetries());
        RuntimeSettings.RETENTION.put(env, retention);
        RuntimeSettings.LIMIT_RECORD_BYTES.put(env, maxRecordBytes);
        RuntimeSettings.LIMIT_VARIABLES_BYTES.put(env, instanceLimits.maxVariablesBytes());
        RuntimeSettings.LIMIT_VALUE_BYTES.put(env, instanceLimits.maxValueBytes());
        RuntimeSettings.LIMIT_PAYLOAD_BYTES.put(env, instanceLimits.maxPayloadBytes());
        env.putAll(management.toEnvironment());
        env.putAll(KafkaOverrides.toEnvironment(kafkaOverrides));
        return env;
    }
}
