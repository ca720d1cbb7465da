package dev.loopline.systemtests.support;

import dev.loopline.api.Topics;
import dev.loopline.api.serde.AvroSerdes;
import dev.loopline.api.v1.PlatformEvent;
import dev.loopline.api.v1.WorkflowDefinition;
import dev.loopline.testsupport.infra.Infrastructure;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/** Writes definitions and events straight to their topics, for tests that do not need the gateway. */
public final class Records {

    private Records() {}

    public static void write(Infrastructure infra, Topics topics, WorkflowDefinition definition) {
        try (var producer = producer(infra, WorkflowDefinition.class)) {
            producer.send(new ProducerRecord<>(topics.definitions(), definition.getId(), definition));
        }
    }

    public static KafkaProducer<String, PlatformEvent> events(Infrastructure infra) {
        return producer(infra, PlatformEvent.class);
    }

    private static <V extends org.apache.avro.specific.SpecificRecord> KafkaProducer<String, V> producer(
            Infrastructure infra, Class<V> type) {
        Map<String, Object> config = new HashMap<>(infra.clientConfig());
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        return new KafkaProducer<>(
                config,
                new StringSerializer(),
                new AvroSerdes(infra.clientConfig()).valueSerde(type).serializer());
    }
}
