package dev.loopline.runtime;

import dev.loopline.api.TopicProvisioner;
import dev.loopline.api.security.ApiKeyStore;
import dev.loopline.api.serde.AvroSerdes;
import dev.loopline.api.v1.WorkflowDefinition;
import dev.loopline.observability.Meters;
import dev.loopline.observability.Restoration;
import dev.loopline.observability.Tracing;
import dev.loopline.runtime.config.ManagementSettings;
import dev.loopline.runtime.config.RuntimeConfig;
import dev.loopline.runtime.config.StreamsSettings;
import dev.loopline.runtime.management.ManagementServer;
import dev.loopline.runtime.topology.LooplineTopology;
import dev.loopline.runtime.topology.Telemetry;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
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

    /** Worst first: the state {@link #state()} reports when the two applications differ. */
    private static final List<KafkaStreams.State> WORST_FIRST = List.of(
            KafkaStreams.State.ERROR,
            KafkaStreams.State.PENDING_ERROR,
            KafkaStreams.State.NOT_RUNNING,
            KafkaStreams.State.PENDING_SHUTDOWN,
            KafkaStreams.State.CREATED,
            KafkaStreams.State.REBALANCING,
            KafkaStreams.State.RUNNING);

    /** The service name of the runtime's meters and spans. */
    public static final String SERVICE = "loopline-runtime";

    private final RuntimeConfig config;
    private final Meters meters;
    private final Tracing tracing;
    private final Restoration restoration;
    private final KafkaStreams events;
    private final KafkaStreams instances;
    private volatile ManagementServer management;
    private final CountDownLatch running = new CountDownLatch(APPLICATIONS);
    private final CountDownLatch failed = new CountDownLatch(1);

    private LooplineRuntime(RuntimeConfig config) {
        this.config = config;
        this.meters = Meters.open(SERVICE);
        this.tracing = Tracing.open(SERVICE, System.getenv());
        this.restoration = new Restoration(meters.registry());
        Telemetry telemetry = new Telemetry(meters.registry(), tracing);
        LooplineTopology.Parts parts = LooplineTopology.buildParts(
                config.topics(),
                new AvroSerdes(StreamsSettings.serdeConfig(config)),
                config.topologyOptions().withTelemetry(telemetry));
        Properties instanceSettings = StreamsSettings.of(config);
        instanceSettings.put(Telemetry.CONFIG, telemetry); // for the exception handlers' dead-letter counts
        try {
            this.events = application("event half", parts.events(), eventHalfSettings(instanceSettings));
        } catch (RuntimeException e) {
            closeTelemetry();
            throw e;
        }
        try {
            this.instances = application("instance half", parts.instances(), instanceSettings);
        } catch (RuntimeException e) {
            events.close(Duration.ZERO);
            closeTelemetry();
            throw e;
        }
        meters.bind(events, "event-half");
        meters.bind(instances, "instance-half");
    }

    /**
     * The event half's settings: the instance half's (overrides included), with {@value
     * #EVENTS_SUFFIX} appended to the application id and, when they are set, to the client id and
     * the static member id ({@code group.instance.id}, from {@code LOOPLINE_KAFKA_GROUP_INSTANCE_ID}),
     * so that the two never share a group, a member, transactional ids, thread names or metric names.
     */
    static Properties eventHalfSettings(Properties instanceSettings) {
        Properties settings = new Properties();
        settings.putAll(instanceSettings);
        for (String suffixed : List.of(
                StreamsConfig.APPLICATION_ID_CONFIG,
                StreamsConfig.CLIENT_ID_CONFIG,
                ConsumerConfig.GROUP_INSTANCE_ID_CONFIG)) {
            String value = instanceSettings.getProperty(suffixed);
            if (value != null && !value.isEmpty()) {
                settings.put(suffixed, value + EVENTS_SUFFIX);
            }
        }
        return settings;
    }

    private KafkaStreams application(String name, Topology topology, Properties settings) {
        KafkaStreams streams = new KafkaStreams(topology, settings);
        streams.setGlobalStateRestoreListener(restoration);
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
            if (now == KafkaStreams.State.ERROR) {
                // e.g. its global thread failed, which Kafka Streams cannot replace: the half is dead
                log.error("runtime {} failed; the process must be restarted", name);
                failed.countDown();
            }
        });
        return streams;
    }

    public static LooplineRuntime start(RuntimeConfig config) {
        // A restart spends seconds in each of these on a busy machine, so they run side by side: the
        // topics are checked (and made) while the two halves are built, and the halves then start
        // together. KafkaStreams.start() returns only once the half's global stores are restored.
        CompletableFuture<Void> topics =
                CompletableFuture.runAsync(() -> ensureTopics(config), thread("runtime-topics"));
        LooplineRuntime runtime;
        try {
            runtime = new LooplineRuntime(config);
        } catch (RuntimeException e) {
            topics.cancel(false);
            throw e;
        }
        try {
            topics.join();
            CompletableFuture<Void> events =
                    CompletableFuture.runAsync(runtime.events::start, thread("runtime-start-event-half"));
            runtime.instances.start();
            events.join();
            runtime.serveManagement();
        } catch (CompletionException e) {
            runtime.close();
            throw e.getCause() instanceof RuntimeException cause ? cause : e;
        } catch (RuntimeException e) {
            runtime.close();
            throw e;
        }
        return runtime;
    }

    /**
     * Starts the management endpoints, if a port is set and callers can be told apart (a keys
     * file), or authentication is off; otherwise says why there are none.
     */
    private void serveManagement() {
        ManagementSettings settings = config.management();
        if (settings.port() < 0) {
            return;
        }
        if (!settings.enabled()) {
            log.warn("no management endpoints (/metrics, /health): set LOOPLINE_API_KEYS_FILE to let their callers in");
            return;
        }
        if (settings.authDisabled()) {
            log.warn(
                    "AUTHENTICATION IS DISABLED (LOOPLINE_AUTH_DISABLED=true): anyone who reaches port {} reads"
                            + " the runtime's metrics and health",
                    settings.port());
        }
        try {
            management = ManagementServer.start(
                    settings.host(),
                    settings.port(),
                    settings.authDisabled()
                            ? Optional.empty()
                            : settings.apiKeysFile().map(ApiKeyStore::load),
                    meters::scrape,
                    this::live,
                    this::ready);
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot serve the management endpoints on " + settings.host() + ":" + settings.port(), e);
        }
    }

    /**
     * Liveness: neither application has failed for good. DOWN means restart the process; a broker
     * outage or a rebalance does not make it DOWN (a restart would not help).
     */
    ManagementServer.Answer live() {
        boolean up = alive(events.state()) && alive(instances.state());
        return ManagementServer.Answer.json(
                up ? 200 : 503,
                Map.of(
                        "status", up ? "UP" : "DOWN",
                        "eventHalf", events.state().name(),
                        "instanceHalf", instances.state().name()));
    }

    /**
     * Readiness: both applications are RUNNING and no store of an active task is restoring. A
     * rolling restart waits for it, so that each process has caught up before the next one stops.
     */
    ManagementServer.Answer ready() {
        int restoring = restoration.partitions();
        boolean up = events.state() == KafkaStreams.State.RUNNING
                && instances.state() == KafkaStreams.State.RUNNING
                && restoring == 0;
        return ManagementServer.Answer.json(
                up ? 200 : 503,
                Map.of(
                        "status", up ? "UP" : "DOWN",
                        "eventHalf", events.state().name(),
                        "instanceHalf", instances.state().name(),
                        "restoringPartitions", restoring,
                        "recordsToRestore", restoration.remainingRecords()));
    }

    private static boolean alive(KafkaStreams.State state) {
        return state != KafkaStreams.State.ERROR
                && state != KafkaStreams.State.PENDING_ERROR
                && state != KafkaStreams.State.NOT_RUNNING;
    }

    /** The port of the management endpoints, if they are served. */
    public OptionalInt managementPort() {
        ManagementServer server = management;
        return server == null ? OptionalInt.empty() : OptionalInt.of(server.port());
    }

    /** Loopline's, Kafka's and the JVM's meters of this process. */
    public MeterRegistry meterRegistry() {
        return meters.registry();
    }

    private static void ensureTopics(RuntimeConfig config) {
        // with the LOOPLINE_KAFKA_* overrides, as Streams' own clients: on a secured broker it must authenticate too
        try (Admin admin = Admin.create(
                new StreamsConfig(StreamsSettings.of(config)).getAdminConfigs(config.applicationId() + "-topics"))) {
            TopicProvisioner.ensureTopics(admin, config.topics(), config.partitions(), config.replicationFactor());
        }
    }

    /** Runs a start-up step on a thread of its own, gone once the step is done. */
    private static Executor thread(String name) {
        return task -> {
            Thread thread = new Thread(task, name);
            thread.setDaemon(true);
            thread.start();
        };
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

    /**
     * Blocks until one of the two applications has failed for good (state ERROR): a process that
     * runs only one half must stop, so that its supervisor restarts it ({@link Main} exits).
     */
    public void awaitFailure() throws InterruptedException {
        failed.await();
    }

    /** RUNNING when both applications run; otherwise the worse of their two states (ERROR first). */
    public KafkaStreams.State state() {
        KafkaStreams.State eventHalf = events.state();
        KafkaStreams.State instanceHalf = instances.state();
        return WORST_FIRST.indexOf(eventHalf) <= WORST_FIRST.indexOf(instanceHalf) ? eventHalf : instanceHalf;
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
        ManagementServer server = management;
        if (server != null) {
            server.close();
        }
        // both shut down at once (a zero timeout only starts the shutdown), then each is waited for
        for (Duration timeout : List.of(Duration.ZERO, Duration.ofSeconds(30))) {
            for (KafkaStreams streams : List.of(events, instances)) {
                streams.close(CloseOptions.timeout(timeout)
                        .withGroupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP));
            }
        }
        closeTelemetry();
    }

    private void closeTelemetry() {
        meters.close();
        tracing.close();
    }
}
