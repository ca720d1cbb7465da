package dev.loopline.runtime;

import dev.loopline.api.TopicProvisioner;
import dev.loopline.api.serde.AvroSerdes;
import dev.loopline.api.v1.WorkflowDefinition;
import dev.loopline.runtime.config.RuntimeConfig;
import dev.loopline.runtime.config.StreamsSettings;
import dev.loopline.runtime.topology.LooplineTopology;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The runtime process: creates missing topics, then runs the topology's two parts under
 * exactly_once_v2 as two Kafka Streams applications, each with its own stream thread and
 * transactions (see {@link LooplineTopology.Parts}). The instance half keeps the configured
 * application id; the event half's is that id with {@value #EVENTS_SUFFIX} appended.
 */
public final class LooplineRuntime implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LooplineRuntime.class);

    /** The Kafka Streams applications a runtime process runs: the event half and the instance half. */
    public static final int APPLICATIONS = 2;

    /** Appended to the application id for the event half's application. */
    public static final String EVENTS_SUFFIX = "-events";

    private final RuntimeConfig config;
    private final KafkaStreams events;
    private final KafkaStreams instances;
    private final CountDownLatch running = new CountDownLatch(2);

    private LooplineRuntime(RuntimeConfig config) {
        this.config = config;
        LooplineTopology.Parts parts = LooplineTopology.buildParts(
                config.topics(), new AvroSerdes(StreamsSettings.serdeConfig(config)), config.topologyOptions());
        Properties eventSettings = StreamsSettings.of(config);
        eventSettings.put(StreamsConfig.APPLICATION_ID_CONFIG, config.applicationId() + EVENTS_SUFFIX);
        this.events = application("event half", parts.events(), eventSettings);
        this.instances = application("instance half", parts.instances(), StreamsSettings.of(config));
    }

    private KafkaStreams application(String name, Topology topology, Properties settings) {
        KafkaStreams streams = new KafkaStreams(topology, settings);
        // A failed task (see RejectionHandler) aborts its transaction; a new thread retries its records.
        streams.setUncaughtExceptionHandler(error -> {
            log.error("{}: stream thread failed; replacing it to retry from the last commit", name, error);
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
        });
        AtomicBoolean reached = new AtomicBoolean();
        streams.setStateListener((now, before) -> {
            log.info("runtime {}: {} → {}", name, before, now);
            if (now == KafkaStreams.State.RUNNING && reached.compareAndSet(false, true)) {
                running.countDown();
            }
        });
        return streams;
    }

    public static LooplineRuntime start(RuntimeConfig config) {
        try (Admin admin =
                Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers()))) {
            TopicProvisioner.ensureTopics(admin, config.topics(), config.partitions(), config.replicationFactor());
        }
        LooplineRuntime runtime = new LooplineRuntime(config);
        runtime.events.start();
        runtime.instances.start();
        return runtime;
    }

    /** Waits until both applications have joined their groups and restored their state. */
    public boolean awaitRunning(Duration timeout) throws InterruptedException {
        return running.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * The definition as this runtime's catalog holds it now (an interactive query on the global
     * store): lets operators and tests see when an activation has reached the runtime.
     */
    public Optional<WorkflowDefinition> catalogEntry(String definitionId) {
        ReadOnlyKeyValueStore<String, WorkflowDefinition> catalog = events.store(StoreQueryParameters.fromNameAndType(
                LooplineTopology.DEFINITIONS_STORE, QueryableStoreTypes.keyValueStore()));
        return Optional.ofNullable(catalog.get(definitionId));
    }

    /** RUNNING when both applications run; otherwise the state of one that does not. */
    public KafkaStreams.State state() {
        KafkaStreams.State eventHalf = events.state();
        return eventHalf == KafkaStreams.State.RUNNING ? instances.state() : eventHalf;
    }

    public RuntimeConfig config() {
        return config;
    }

    /** The Kafka Streams metrics of this process (its threads, tasks, stores and clients), for benchmarks and exporters. */
    public Map<MetricName, ? extends Metric> metrics() {
        Map<MetricName, Metric> both = new HashMap<>(events.metrics());
        both.putAll(instances.metrics());
        return both;
    }

    /**
     * Stops cleanly and leaves the group, so the remaining or replacing processes take the tasks
     * over at once instead of after the session timeout.
     */
    @Override
    public void close() {
        // the event half first: no new starts while the instance half finishes its work
        for (KafkaStreams streams : List.of(events, instances)) {
            streams.close(CloseOptions.timeout(Duration.ofSeconds(30))
                    .withGroupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP));
        }
    }
}
