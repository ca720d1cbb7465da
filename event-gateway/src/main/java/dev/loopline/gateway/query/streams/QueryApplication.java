package dev.loopline.gateway.query.streams;

import dev.loopline.api.Topics;
import dev.loopline.api.internal.InstanceSummary;
import dev.loopline.api.internal.MessageEntry;
import dev.loopline.api.serde.AvroSerdes;
import dev.loopline.api.store.StoreKeys;
import dev.loopline.api.v1.Acknowledgement;
import dev.loopline.api.v1.InstanceTransition;
import dev.loopline.api.v1.WorkflowMessage;
import dev.loopline.gateway.query.QueryStores;
import dev.loopline.observability.Meters;
import dev.loopline.observability.Restoration;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsMetadata;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.apache.kafka.streams.query.KeyQuery;
import org.apache.kafka.streams.query.Query;
import org.apache.kafka.streams.query.QueryResult;
import org.apache.kafka.streams.query.RangeQuery;
import org.apache.kafka.streams.query.StateQueryRequest;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The query side's Kafka Streams application ({@link QueryTopology}), run by each gateway
 * process, and the {@link QueryStores} it serves: interactive queries (IQv2) on the stores of the
 * partitions whose active task runs here, read committed, and the group's metadata for where the
 * other partitions are served ({@code application.server}: this process's HTTP address).
 */
public final class QueryApplication implements QueryStores, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(QueryApplication.class);

    private final Map<String, Object> clientConfig;
    private final Topics topics;
    private final QuerySettings settings;
    private final int partitionCount;
    private final short replicationFactor;
    private volatile KafkaStreams streams;
    private volatile HostInfo self;
    private volatile boolean restored;
    private Path stateDir;
    private Meters meters;

    /**
     * The application, not started yet: {@link #start} it once this process's HTTP port is known.
     *
     * @param clientConfig the gateway's Kafka client settings (with its {@code LOOPLINE_KAFKA_*} overrides)
     * @param partitions the transitions topic's partition count
     */
    public QueryApplication(
            Map<String, Object> clientConfig,
            Topics topics,
            QuerySettings settings,
            short replicationFactor,
            int partitions) {
        this.clientConfig = Map.copyOf(clientConfig);
        this.replicationFactor = replicationFactor;
        this.topics = topics;
        this.settings = settings;
        this.partitionCount = partitions;
    }

    /**
     * Starts the application; it restores its stores (from local state after a restart, from the
     * changelogs on a new disk) in the background. Until then, and while it does, its partitions
     * answer {@link QueryStores.Unavailable}.
     *
     * @param port this process's HTTP port, advertised to its peers with the advertised host
     */
    /** Reports to these meters: the application's Kafka metrics and its dead letters. Before {@link #start}. */
    public synchronized void observe(Meters observed) {
        this.meters = observed;
    }

    public synchronized void start(int port) {
        String advertised = settings.advertisedHost() + ":" + port;
        try {
            stateDir = settings.temporary() ? Files.createTempDirectory("loopline-query-") : settings.stateDir();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a state directory for the query side", e);
        }
        Properties props = settings.streamsProperties(clientConfig, topics, stateDir, replicationFactor, advertised);
        if (meters != null) {
            props.put(QueryRecordHandler.METRICS, meters.registry());
        }
        Map<String, Object> serde = new HashMap<>();
        props.forEach((key, value) -> serde.put(key.toString(), value));
        AvroSerdes serdes = new AvroSerdes(serde);
        Topology topology = QueryTopology.build(
                topics,
                serdes.valueSerde(InstanceTransition.class).deserializer(),
                serdes.valueSerde(WorkflowMessage.class).deserializer(),
                serdes.valueSerde(Acknowledgement.class).deserializer());
        KafkaStreams created = new KafkaStreams(topology, props);
        created.setUncaughtExceptionHandler(e -> {
            log.error("query side: a stream thread failed and is replaced", e);
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
        });
        created.setStateListener((now, before) -> {
            if (now == KafkaStreams.State.RUNNING) {
                restored = true;
            }
        });
        if (meters != null) {
            meters.bind(created, "query-side");
            created.setGlobalStateRestoreListener(new Restoration(meters.registry()));
        }
        created.start();
        self = HostInfo.buildFromEndpoint(advertised);
        streams = created;
    }

    @Override
    public int partitionCount() {
        return partitionCount;
    }

    @Override
    public Set<Integer> partitions() {
        Set<Integer> partitions = new TreeSet<>();
        for (StreamsMetadata metadata : metadata()) {
            if (metadata.hostInfo().equals(self)) {
                metadata.topicPartitions().forEach(tp -> partitions.add(tp.partition()));
            }
        }
        return partitions;
    }

    @Override
    public Location locate(String instanceId) {
        KeyQueryMetadata metadata;
        if (streams == null) {
            return new Location(-1, null, false);
        }
        try {
            metadata = streams.queryMetadataForKey(
                    QueryTopology.SUMMARIES, instanceId, Serdes.String().serializer());
        } catch (RuntimeException e) { // not started yet, or shutting down
            return new Location(-1, null, false);
        }
        HostInfo host = metadata.activeHost();
        if (metadata == KeyQueryMetadata.NOT_AVAILABLE || host == null || host.port() < 0) {
            return new Location(metadata.partition(), null, false);
        }
        return new Location(metadata.partition(), host.host() + ":" + host.port(), host.equals(self));
    }

    @Override
    public String self() {
        HostInfo host = self;
        return host == null ? null : host.host() + ":" + host.port();
    }

    @Override
    public Set<String> peers() {
        Set<String> peers = new TreeSet<>();
        for (StreamsMetadata metadata : metadata()) {
            if (!metadata.hostInfo().equals(self) && !metadata.topicPartitions().isEmpty()) {
                peers.add(metadata.host() + ":" + metadata.port());
            }
        }
        return peers;
    }

    /** Whether the application has restored its stores once since it started (and so been RUNNING). */
    @Override
    public boolean restored() {
        return restored;
    }

    @Override
    public boolean isRunning() {
        if (streams == null) {
            return true; // starting
        }
        KafkaStreams.State state = streams.state();
        return state.isRunningOrRebalancing() || state == KafkaStreams.State.CREATED;
    }

    /**
     * Waits until every partition of this process is restored and served (the application is
     * RUNNING, not rebalancing); false if that took longer than {@code timeout}.
     */
    public boolean awaitRunning(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (streams == null || streams.state() != KafkaStreams.State.RUNNING) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            TimeUnit.MILLISECONDS.sleep(20);
        }
        return true;
    }

    @Override
    public Optional<InstanceSummary> summary(int partition, String instanceId) {
        return Optional.ofNullable(
                query(QueryTopology.SUMMARIES, KeyQuery.<String, InstanceSummary>withKey(instanceId), partition));
    }

    @Override
    public List<InstanceTransition> history(int partition, String instanceId) {
        List<InstanceTransition> history = new ArrayList<>();
        try (KeyValueIterator<String, InstanceTransition> it = query(
                QueryTopology.HISTORY,
                RangeQuery.withRange(StoreKeys.prefix(instanceId), StoreKeys.prefixEnd(instanceId)),
                partition)) {
            it.forEachRemaining(entry -> history.add(entry.value));
        } catch (InvalidStateStoreException e) {
            throw new QueryStores.Unavailable(partition, e.getMessage());
        }
        return history;
    }

    @Override
    public Scan index(int partition, String from, String to) {
        KeyValueIterator<String, String> it =
                query(QueryTopology.INDEX, RangeQuery.<String, String>withRange(from, to), partition);
        return new Scan() {
            private KeyValue<String, String> next = first();

            private KeyValue<String, String> first() {
                try {
                    return advance();
                } catch (RuntimeException e) {
                    it.close();
                    throw e;
                }
            }

            /** The next entry in range; a store closed under the scan (its task moved) is {@link QueryStores.Unavailable}. */
            private KeyValue<String, String> advance() {
                try {
                    if (!it.hasNext()) {
                        return null;
                    }
                    KeyValue<String, String> entry = it.next();
                    return entry.key.compareTo(to) < 0 ? entry : null; // the range's end is inclusive
                } catch (InvalidStateStoreException e) {
                    throw new QueryStores.Unavailable(partition, e.getMessage());
                }
            }

            @Override
            public boolean hasNext() {
                return next != null;
            }

            @Override
            public Map.Entry<String, String> next() {
                if (next == null) {
                    throw new NoSuchElementException();
                }
                Map.Entry<String, String> entry = Map.entry(next.key, next.value);
                next = advance();
                return entry;
            }

            @Override
            public void close() {
                it.close();
            }
        };
    }

    @Override
    public Optional<MessageEntry> message(int partition, String messageId) {
        return Optional.ofNullable(
                query(QueryTopology.MESSAGES, KeyQuery.<String, MessageEntry>withKey(messageId), partition));
    }

    @Override
    public Map<String, Long> counts(int partition) {
        Map<String, Long> counts = new TreeMap<>();
        try (KeyValueIterator<String, Long> it =
                query(QueryTopology.COUNTS, RangeQuery.<String, Long>withNoBounds(), partition)) {
            it.forEachRemaining(entry -> counts.put(entry.key, entry.value));
        } catch (InvalidStateStoreException e) {
            throw new QueryStores.Unavailable(partition, e.getMessage());
        }
        return counts;
    }

    /** One query on one partition's store of the active task here; {@link QueryStores.Unavailable} if it cannot answer now. */
    private <R> R query(String store, Query<R> query, int partition) {
        StateQueryRequest<R> request = StateQueryRequest.inStore(store)
                .withQuery(query)
                .withPartitions(Set.of(partition))
                .requireActive()
                .withIsolationLevel(IsolationLevel.READ_COMMITTED);
        QueryResult<R> result;
        if (streams == null) {
            throw new QueryStores.Unavailable(partition, "starting");
        }
        try {
            result = streams.query(request).getPartitionResults().get(partition);
        } catch (RuntimeException e) { // not running, or rebalancing
            throw new QueryStores.Unavailable(partition, e.getMessage());
        }
        if (result == null || result.isFailure()) {
            throw new QueryStores.Unavailable(partition, result == null ? "not here" : result.getFailureMessage());
        }
        return result.getResult();
    }

    private Collection<StreamsMetadata> metadata() {
        if (streams == null) {
            return List.of();
        }
        try {
            return streams.streamsMetadataForStore(QueryTopology.SUMMARIES);
        } catch (RuntimeException e) { // not started yet, or shutting down
            return List.of();
        }
    }

    @Override
    public synchronized void close() {
        if (streams == null) {
            return;
        }
        // leaving the group hands this process's partitions over at once, not after the session timeout
        boolean closed = streams.close(CloseOptions.timeout(Duration.ofSeconds(10))
                .withGroupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP));
        if (closed && settings.temporary()) {
            deleteRecursively(stateDir);
        }
    }

    private static void deleteRecursively(Path dir) {
        try (var paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder())
                    .forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            log.warn("query side: could not delete its temporary state directory {}: {}", dir, e.getMessage());
        }
    }
}
