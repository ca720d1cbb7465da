package dev.loopline.client;

import dev.loopline.api.Topics;
import dev.loopline.api.serde.AvroSerdes;
import dev.loopline.api.v1.MessageKind;
import dev.loopline.api.v1.PlatformEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Publishes platform events to the events topic, keyed by entity id (the event half's key: the
 * events of one record stay in order). An event's id is its idempotency key: publishing the same
 * event id again starts no second instance.
 *
 * <p>The {@code upsert-entity} round trip: a workflow asks the application to create or update a
 * record; the application does it and publishes the event that says so, carrying the message's
 * causation, so that the runtime can stop a workflow that keeps triggering itself.
 *
 * <pre>{@code
 * builder.handleUpserts(message -> {
 *     crm.save(message.entityType(), message.entityId(), message.payload());
 *     publisher.publishUpserted(message, "crm", message.payload()).get();
 *     return Ack.succeeded();
 * });
 * }</pre>
 *
 * <p>A write the registry or Kafka did not confirm is tried again with capped backoff, up to the
 * producer's {@code delivery.timeout.ms} (2 minutes by default) per attempt; the returned future
 * completes when Kafka confirmed the event (acks=all, idempotent).
 */
public final class EventPublisher implements AutoCloseable {

    private final Topics topics;
    private final KafkaProducer<String, PlatformEvent> producer;
    private final ScheduledExecutorService retries;
    private final Backoff backoff = Backoff.DEFAULT;
    private final int maxAttempts;

    private EventPublisher(Map<String, ?> kafkaProperties, Topics topics, int maxAttempts) {
        this.topics = topics;
        this.maxAttempts = maxAttempts;
        Map<String, Object> config = new HashMap<>(kafkaProperties);
        config.remove("group.id");
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 5);
        this.producer = new KafkaProducer<>(
                config,
                new StringSerializer(),
                new AvroSerdes(config).valueSerde(PlatformEvent.class).serializer());
        this.retries = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread t = new Thread(task, "loopline-publisher-retries");
            t.setDaemon(true);
            return t;
        });
    }

    /** A publisher to the deployment's events topic, with these Kafka client and serde properties. */
    public static EventPublisher create(Map<String, ?> kafkaProperties, Topics topics) {
        return new EventPublisher(kafkaProperties, topics, 10);
    }

    /** Publishes an event; completes when Kafka has it, or exceptionally after 10 failed attempts. */
    public CompletableFuture<RecordMetadata> publish(PlatformEvent event) {
        Objects.requireNonNull(event.getEventId(), "eventId");
        CompletableFuture<RecordMetadata> written = new CompletableFuture<>();
        send(event, 1, written);
        return written;
    }

    /**
     * Publishes the event an entity upsert asked for: its entity and message name, these
     * attributes, the message's causation, and an id derived from the message's, so that a
     * redelivered upsert publishes the same event (and starts nothing twice).
     */
    public CompletableFuture<RecordMetadata> publishUpserted(Message upsert, String source, Map<String, ?> attributes) {
        return publish(upserted(upsert, source, attributes));
    }

    /** The platform event that reports an entity upsert as done (see {@link #publishUpserted}). */
    public static PlatformEvent upserted(Message upsert, String source, Map<String, ?> attributes) {
        if (upsert.kind() != MessageKind.ENTITY_UPSERT) {
            throw new IllegalArgumentException(upsert + " is a " + upsert.kind() + ", not an entity upsert");
        }
        Map<String, Object> values =
                new LinkedHashMap<>(Ack.succeeded(attributes).output());
        return PlatformEvent.newBuilder()
                .setEventId("upserted-" + upsert.id())
                .setSource(Objects.requireNonNull(source, "source"))
                .setEntityType(upsert.entityType())
                .setEntityId(upsert.entityId())
                .setMessageName(upsert.name())
                .setAttributes(values)
                .setOccurredAt(Instant.now())
                .setCausation(upsert.causation().orElse(null))
                .build();
    }

    private void send(PlatformEvent event, int attempt, CompletableFuture<RecordMetadata> written) {
        try {
            producer.send(new ProducerRecord<>(topics.events(), event.getEntityId(), event), (metadata, error) -> {
                if (error == null) {
                    written.complete(metadata);
                } else if (error instanceof RetriableException && attempt < maxAttempts) {
                    again(event, attempt, written);
                } else {
                    written.completeExceptionally(error);
                }
            });
        } catch (KafkaException e) {
            // the serializer's registry call failed, or the producer could not take the record now
            if (attempt < maxAttempts && !retries.isShutdown()) {
                again(event, attempt, written);
            } else {
                written.completeExceptionally(e);
            }
        }
    }

    private void again(PlatformEvent event, int attempt, CompletableFuture<RecordMetadata> written) {
        Duration delay = backoff.delay(attempt);
        try {
            retries.schedule(() -> send(event, attempt + 1, written), delay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException closed) {
            written.completeExceptionally(new IllegalStateException("the publisher is closed"));
        }
    }

    @Override
    public void close() {
        retries.shutdownNow();
        producer.close(Duration.ofSeconds(5));
    }
}
