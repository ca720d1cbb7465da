package dev.loopline.gateway.kafka;

import dev.loopline.api.Topics;
import dev.loopline.api.serde.AvroSerdes;
import dev.loopline.api.v1.WorkflowDefinition;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
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
 */
public final class DefinitionRepository implements AutoCloseable {

    private static final Duration READ_BACK_TIMEOUT = Duration.ofSeconds(15);

    private final KafkaProducer<String, WorkflowDefinition> producer;
    private final TopicProjection<WorkflowDefinition> projection;
    private final Map<String, WorkflowDefinition> definitions = new ConcurrentHashMap<>();
    private final String topic;

    public DefinitionRepository(Map<String, Object> clientConfig, Topics topics) {
        AvroSerdes serdes = new AvroSerdes(clientConfig);
        this.topic = topics.definitions();
        this.producer = new KafkaProducer<>(
                Producers.durable(clientConfig),
                new StringSerializer(),
                serdes.valueSerde(WorkflowDefinition.class).serializer());
        this.projection = new TopicProjection<>(
                clientConfig, topic, serdes.valueSerde(WorkflowDefinition.class).deserializer(), this::apply);
    }

    public void start() {
        projection.start();
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
        try {
            RecordMetadata written = producer.send(new ProducerRecord<>(topic, definition.getId(), definition))
                    .get(READ_BACK_TIMEOUT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
            if (!projection.awaitApplied(written.partition(), written.offset(), READ_BACK_TIMEOUT)) {
                throw new NotConfirmedException(
                        "definition " + definition.getId() + " written but not read back in " + READ_BACK_TIMEOUT,
                        null);
            }
            return definition;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NotConfirmedException("interrupted while saving definition " + definition.getId(), e);
        } catch (ExecutionException | TimeoutException | org.apache.kafka.common.KafkaException e) {
            Throwable why = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
            throw new NotConfirmedException(
                    "Kafka did not confirm definition " + definition.getId() + " ("
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
        return projection.isRunning();
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
        producer.close(Duration.ofSeconds(5));
    }
}
