package dev.loopline.runtime.config;

import dev.loopline.api.config.CommonSettings;
import dev.loopline.api.config.Setting;
import dev.loopline.api.serde.WireFormatAvroSerde;
import dev.loopline.runtime.topology.BadRecordHandler;
import dev.loopline.runtime.topology.RejectionHandler;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.streams.StreamsConfig;

/** The Kafka Streams properties of the runtime: Loopline's choices, then the operator's overrides. */
public final class StreamsSettings {

    private StreamsSettings() {}

    public static Properties of(RuntimeConfig config) {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, config.applicationId());
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        props.put(StreamsConfig.STATE_DIR_CONFIG, config.stateDir().toString());
        // Store writes, outputs and input offsets commit atomically.
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, Short.toString(config.replicationFactor()));
        // Failover (README "Failover"). KIP-892: a task's uncommitted writes wait in a buffer instead
        // of RocksDB, so a task that crashes mid-transaction keeps its state instead of wiping it and
        // restoring the whole changelog (TaskCorruptedException, minutes on a large store). A commit
        // every 10 ms stages a few KB; the buffer's cap forces an early commit only past it.
        props.put(StreamsConfig.TRANSACTIONAL_STATE_STORES_CONFIG, "true");
        // Loopline's defaults of Kafka properties (the settings say why), each under its unprefixed
        // name, so that the operator's LOOPLINE_KAFKA_* override replaces it: a consumer- or
        // producer-prefixed key would win over the operator's unprefixed one.
        for (Setting<?> kafka : List.of(
                RuntimeSettings.UNCOMMITTED_MAX_BYTES,
                RuntimeSettings.NUM_STANDBY_REPLICAS,
                CommonSettings.SESSION_TIMEOUT_MS,
                CommonSettings.HEARTBEAT_INTERVAL_MS,
                RuntimeSettings.LINGER_MS,
                RuntimeSettings.COMMIT_INTERVAL_MS,
                RuntimeSettings.NUM_STREAM_THREADS)) {
            props.put(kafka.kafkaProperty(), kafka.defaultValue());
        }
        // A record that cannot be read, or that a processor rejects, goes to the dead-letter topic with
        // the reason in headers (__streams.errors.*), and processing continues. Any other processing
        // failure fails the task, so that it is retried rather than half-applied (RejectionHandler).
        // (BadRecordHandler: a record the registry could not help read is read again instead).
        props.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, BadRecordHandler.class.getName());
        props.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, RejectionHandler.class.getName());
        props.put(
                StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG,
                config.topics().deadLetters());
        // Unprefixed, like those above.
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        // A task reads two topics (events + dependency-commands, instance-commands + acks), and no
        // decision depends on their relative timestamps: each record is applied to the current state.
        // So a task never waits for its other partition. With the default (0),
        // PartitionGroup.readyToProcess formats log strings eagerly on every empty partition, a
        // measurable share of the stream thread's CPU (docs/benchmarks.md, "Tuning").
        props.put(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, Long.toString(StreamsConfig.MAX_TASK_IDLE_MS_DISABLED));
        // One stream thread per application (the runtime runs two, see LooplineRuntime), Kafka's default:
        // scale out with processes (or LOOPLINE_KAFKA_NUM_STREAM_THREADS). A second thread per
        // application doubles the transactions, each spanning more partitions: more throughput on an
        // idle machine, but a longer wait for "workflow started"; the runtime's two applications keep
        // the fast path apart instead (docs/decisions/, docs/benchmarks.md "Tuning").
        if (config.rocksDbMemoryMb() > 0) {
            props.put(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, BoundedRocksDbMemory.class.getName());
            props.put(BoundedRocksDbMemory.MEMORY_BYTES, Long.toString(config.rocksDbMemoryMb() * 1024 * 1024));
            // one budget for both of the process's applications
            props.put(BoundedRocksDbMemory.BUDGET, config.applicationId());
        }
        props.put(WireFormatAvroSerde.SCHEMA_REGISTRY_URL, config.schemaRegistryUrl());
        props.putAll(config.kafkaOverrides());
        return props;
    }

    /** The settings a serde needs (registry URL and any serde overrides). */
    public static Map<String, Object> serdeConfig(RuntimeConfig config) {
        Map<String, Object> serde = new HashMap<>();
        of(config).forEach((key, value) -> serde.put(key.toString(), value));
        return serde;
    }
}
