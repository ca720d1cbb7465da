package dev.loopline.gateway.kafka;

import dev.loopline.observability.Tracing;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

final class Producers {

    private Producers() {}

    static Map<String, Object> durable(Map<String, Object> clientConfig) {
        return durable(clientConfig, EventPublisher.DEFAULT_TIMEOUT);
    }

    /**
     * Idempotent, acks=all: an acknowledged send is on every in-sync replica exactly once. {@code
     * send} blocks for metadata at most {@code timeout} (Kafka's default is a minute, which made
     * requests outlast their own timeouts after the producer had been idle), unless the operator set
     * {@code max.block.ms}.
     */
    static Map<String, Object> durable(Map<String, Object> clientConfig, Duration timeout) {
        Map<String, Object> config = new HashMap<>(clientConfig);
        config.putIfAbsent(ProducerConfig.MAX_BLOCK_MS_CONFIG, Long.toString(timeout.toMillis()));
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.LINGER_MS_CONFIG, 2);
        return config;
    }

    /**
     * Sends the record, with the trace context of the work at hand (the HTTP request's, see {@code
     * HttpTelemetry}); the future completes when Kafka confirmed it, or with Kafka's error.
     */
    static <T> CompletableFuture<RecordMetadata> send(
            KafkaProducer<String, T> producer, ProducerRecord<String, T> record) {
        traced(record);
        CompletableFuture<RecordMetadata> sent = new CompletableFuture<>();
        producer.send(record, (metadata, error) -> {
            if (error != null) {
                sent.completeExceptionally(error);
            } else {
                sent.complete(metadata);
            }
        });
        return sent;
    }

    /** Writes the current trace context into the record's headers, if there is one. */
    static <T> ProducerRecord<String, T> traced(ProducerRecord<String, T> record) {
        Context current = Context.current();
        if (Span.fromContext(current).getSpanContext().isValid()) {
            Tracing.inject(current, record.headers());
        }
        return record;
    }
}
