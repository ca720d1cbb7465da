package dev.loopline.gateway.kafka;

import dev.loopline.api.Topics;
import dev.loopline.api.serde.AvroSerdes;
import dev.loopline.api.v1.Acknowledgement;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;

/** Writes the acknowledgements applications give over HTTP to the acks topic, keyed by instance id. */
public final class AckPublisher implements AutoCloseable {

    private final KafkaProducer<String, Acknowledgement> producer;
    private final String topic;
    private final Duration timeout;

    /** @param timeout how long a write may take, the producer's metadata wait included */
    public AckPublisher(Map<String, Object> clientConfig, Topics topics, Duration timeout) {
        this.timeout = timeout;
        this.producer = new KafkaProducer<>(
                Producers.durable(clientConfig, timeout),
                new StringSerializer(),
                new AvroSerdes(clientConfig).valueSerde(Acknowledgement.class).serializer());
        this.topic = topics.acks();
    }

    public Duration timeout() {
        return timeout;
    }

    public CompletableFuture<RecordMetadata> publish(Acknowledgement ack) {
        return Producers.send(producer, new ProducerRecord<>(topic, ack.getInstanceId(), ack));
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(10));
    }
}
