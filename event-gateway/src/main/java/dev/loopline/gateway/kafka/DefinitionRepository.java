package dev.loopline.gateway.kafka;

import dev.loopline.api.Topics;
import dev.loopline.api.serde.AvroSerdes;
import dev.loopline.api.store.StoreKeys;
import dev.loopline.api.v1.WorkflowDefinition;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Definitions live in the compacted definitions topic, keyed by definition id; that topic is the
 * source of truth. The gateway keeps a projection of it and, after each write, waits until its
 * projection has read the write back, so a client reads its own writes from the same gateway.
 * Writes for one definition are serialised within a gateway process; two gateways editing the same
 * definition at once race (last write wins).
 *
 * <p>Every saved version is also kept, in the compacted definition-versions topic (key: id ␟
 * version, 10 digits), written before the definition itself: a version that was written there but
 * never became current is overwritten by the next save, which takes the same number. Definitions
 * are few and written by administrators, so both projections are held in memory.
 */
public final class DefinitionRepository implements AutoCloseable {

    private static final Duration READ_BACK_TIMEOUT = Duration.ofSeconds(15);

    private final KafkaProducer<String, WorkflowDefinition> producer;
    private final TopicProjection<WorkflowDefinition> projection;
    private final Map<String, WorkflowDefinition> definitions = new ConcurrentHashMap<>();
    private final TopicProjection<WorkflowDefinition> versionProjection;
    private final Map<String, NavigableMap<Integer, WorkflowDefinition>> versions = new ConcurrentHashMap<>();
    private final String topic;
    private final String versionsTopic;

    public DefinitionRepository(Map<String, Object> clientConfig, Topics topics) {
        AvroSerdes serdes = new AvroSerdes(clientConfig);
        this.topic = topics.definitions();
        this.producer = new KafkaProducer<>(
                Producers.durable(clientConfig),
                new StringSerializer(),
                serdes.valueSerde(WorkflowDefinition.class).serializer());
        this.projection = new TopicProjection<>(
                clientConfig, topic, serdes.valueSerde(WorkflowDefinition.class).deserializer(), this::apply);
        this.versionsTopic = topics.definitionVersions();
        this.versionProjection = new TopicProjection<>(
                clientConfig,
                versionsTopic,
                serdes.valueSerde(WorkflowDefinition.class).deserializer(),
                this::applyVersion);
    }

    public void start() {
        projection.start();
        versionProjection.start();
    }

    /** Every definition's latest, by id. */
    public List<WorkflowDefinition> all() {
        return definitions.values().stream()
                .sorted(Comparator.comparing(WorkflowDefinition::getId))
                .toList();
    }

    /**
     * The definition's saved versions, oldest first: each as it was saved, and the current one as
     * it is now (so with its status).
     */
    public List<WorkflowDefinition> versions(String id) {
        TreeMap<Integer, WorkflowDefinition> all = new TreeMap<>(versions.getOrDefault(id, new TreeMap<>()));
        WorkflowDefinition current = definitions.get(id);
        if (current == null) {
            return List.of();
        }
        all.tailMap(current.getVersion(), false).clear(); // written, never current
        all.put(current.getVersion(), current);
        return List.copyOf(all.values());
    }

    /**
     * Writes a new version: first to the versions topic, then as the definition's latest, and
     * returns once this gateway's projection shows it.
     */
    public WorkflowDefinition saveNewVersion(WorkflowDefinition definition) {
        String key = StoreKeys.join(definition.getId(), StoreKeys.digits(definition.getVersion(), 10));
        write(new ProducerRecord<>(versionsTopic, key, definition), definition.getId());
        return save(definition);
    }

    public Optional<WorkflowDefinition> find(String id) {
        return Optional.ofNullable(definitions.get(id));
    }

    /**
     * Writes the definition and returns once this gateway's projection shows it.
     *
     * @throws NotConfirmedException when Kafka did not confirm the write, or it was not read back, in
     *     time: the write may still happen
     */
    public WorkflowDefinition save(WorkflowDefinition definition) {
        RecordMetadata written = write(new ProducerRecord<>(topic, definition.getId(), definition), definition.getId());
        try {
            if (!projection.awaitApplied(written.partition(), written.offset(), READ_BACK_TIMEOUT)) {
                throw new NotConfirmedException(
                        "definition " + definition.getId() + " written but not read back in " + READ_BACK_TIMEOUT,
                        null);
            }
            return definition;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NotConfirmedException("interrupted while saving definition " + definition.getId(), e);
        }
    }

    private RecordMetadata write(ProducerRecord<String, WorkflowDefinition> record, String id) {
        try {
            return producer.send(record).get(READ_BACK_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NotConfirmedException("interrupted while saving definition " + id, e);
        } catch (ExecutionException | TimeoutException | org.apache.kafka.common.KafkaException e) {
            Throwable why = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
            throw new NotConfirmedException(
                    "Kafka did not confirm definition " + id + " ("
                            + why.getClass().getSimpleName() + "); it may still be written",
                    e);
        }
    }

    /** A write that Kafka did not confirm in time; it may still happen. */
    public static final class NotConfirmedException extends RuntimeException {
        NotConfirmedException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    public boolean isRunning() {
        return projection.isRunning() && versionProjection.isRunning();
    }

    private void applyVersion(String key, WorkflowDefinition version) {
        if (version != null) {
            versions.computeIfAbsent(version.getId(), id -> new ConcurrentSkipListMap<>())
                    .put(version.getVersion(), version);
        }
    }

    private void apply(String id, WorkflowDefinition definition) {
        if (id == null) {
            return;
        }
        if (definition == null) {
            definitions.remove(id);
        } else {
            definitions.put(id, definition);
        }
    }

    @Override
    public void close() {
        projection.close();
        versionProjection.close();
        producer.close(Duration.ofSeconds(5));
    }
}
