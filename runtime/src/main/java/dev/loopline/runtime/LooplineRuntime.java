package dev.loopline.runtime;

import dev.loopline.api.TopicProvisioner;
import dev.loopline.api.serde.AvroSerdes;
import dev.loopline.api.v1.WorkflowDefinition;
import dev.loopline.runtime.config.RuntimeConfig;
import dev.loopline.runtime.config.StreamsSettings;
import dev.loopline.runtime.topology.LooplineTopology;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The runtime process: creates missing topics, then runs the topology under exactly_once_v2. */
public final class LooplineRuntime implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LooplineRuntime.class);

    private final RuntimeConfig config;
    private final KafkaStreams streams;
    private final CountDownLatch running = new CountDownLatch(1);

    private LooplineRuntime(RuntimeConfig config) {
        this.config = config;
        Topology topology = LooplineTopology.build(
                config.topics(), new AvroSerdes(StreamsSettings.serdeConfig(config)), config.topologyOptions());
        this.streams = new KafkaStreams(topology, StreamsSettings.of(config));
        // A failed task (see RejectionHandler) aborts its transaction; a new thread retries its records.
        streams.setUncaughtExceptionHandler(error -> {
            log.error("stream thread failed; replacing it to retry from the last commit", error);
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
        });
        streams.setStateListener((now, before) -> {
            log.info("runtime {} → {}", before, now);
            if (now == KafkaStreams.State.RUNNING) {
                running.countDown();
            }
        });
    }

    public static LooplineRuntime start(RuntimeConfig config) {
        try (Admin admin =
                Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers()))) {
            TopicProvisioner.ensureTopics(admin, config.topics(), config.partitions(), config.replicationFactor());
        }
        LooplineRuntime runtime = new LooplineRuntime(config);
        runtime.streams.start();
        return runtime;
    }

    /** Waits until the runtime has joined its group and restored its state. */
    public boolean awaitRunning(Duration timeout) throws InterruptedException {
        return running.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * The definition as this runtime's catalog holds it now (an interactive query on the global
     * store): lets operators and tests see when an activation has reached the runtime.
     */
    public Optional<WorkflowDefinition> catalogEntry(String definitionId) {
        ReadOnlyKeyValueStore<String, WorkflowDefinition> catalog = streams.store(StoreQueryParameters.fromNameAndType(
                LooplineTopology.DEFINITIONS_STORE, QueryableStoreTypes.keyValueStore()));
        return Optional.ofNullable(catalog.get(definitionId));
    }

    public KafkaStreams.State state() {
        return streams.state();
    }

    public RuntimeConfig config() {
        return config;
    }

    /** The Kafka Streams metrics of this process (its threads, tasks, stores and clients), for benchmarks and exporters. */
    public Map<MetricName, ? extends Metric> metrics() {
        return streams.metrics();
    }

    /**
     * Stops cleanly and leaves the group, so the remaining or replacing processes take the tasks
     * over at once instead of after the session timeout.
     */
    @Override
    public void close() {
        streams.close(CloseOptions.timeout(Duration.ofSeconds(30))
                .withGroupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP));
    }
}
