package dev.loopline.gateway.kafka;

import dev.loopline.api.Topics;
import dev.loopline.api.serde.AvroSerdes;
import dev.loopline.api.v1.PlatformEvent;
import dev.loopline.observability.Meters;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.serialization.StringSerializer;

/** Produces platform events, keyed by entity id so one entity's events stay in order. */
public final class EventPublisher implements AutoCloseable {

    /**
     * How long a publish may take unless LOOPLINE_HTTP_PUBLISH_TIMEOUT says otherwise: 4.5 s, so
     * that with the HTTP round trip a caller has its answer within 5 s.
     */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMillis(4_500);

    private final KafkaProducer<String, PlatformEvent> producer;
    private final String topic;
    private final Duration timeout;
    /** Why the last send failed, when that was not a passing state (an authorization error, say). */
    private volatile String failure;

    public EventPublisher(Map<String, Object> clientConfig, Topics topics) {
        this(clientConfig, topics, DEFAULT_TIMEOUT);
    }

    /** @param timeout how long a publish may take, the producer's metadata wait included */
    public EventPublisher(Map<String, Object> clientConfig, Topics topics, Duration timeout) {
        this.timeout = timeout;
        this.producer = new KafkaProducer<>(
                Producers.durable(clientConfig, timeout),
                new StringSerializer(),
                new AvroSerdes(clientConfig).valueSerde(PlatformEvent.class).serializer());
        this.topic = topics.events();
    }

    /** The topic events go to. */
    public String topic() {
        return topic;
    }

    public Duration timeout() {
        return timeout;
    }

    public CompletableFuture<RecordMetadata> publish(PlatformEvent event) {
        return Producers.send(producer, new ProducerRecord<>(topic, event.getEntityId(), event))
                .whenComplete((written, error) -> failure = error == null || error instanceof RetriableException
                        ? null
                        : error.getClass().getSimpleName() + ": " + error.getMessage());
    }

    /**
     * Why the producer cannot publish, if its last send failed for a reason that a retry does not
     * mend; empty once a send succeeds again. For readiness.
     */
    public Optional<String> failure() {
        return Optional.ofNullable(failure);
    }

    /** Binds the producer's metrics. */
    public void observe(Meters meters) {
        meters.bind(producer, "events");
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(10));
    }
}
