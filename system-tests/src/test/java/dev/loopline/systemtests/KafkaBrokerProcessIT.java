package dev.loopline.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loopline.testsupport.infra.KafkaBrokerProcess;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** The bench's {@code --broker process}: a real broker in a child JVM that serves clients and stops when closed. */
class KafkaBrokerProcessIT {

    @Test
    void shouldServeARecordAndStopWithItsProcessWhenClosed() throws Exception {
        ProcessHandle child;
        KafkaBrokerProcess closed;
        try (KafkaBrokerProcess broker = KafkaBrokerProcess.start(List.of("-Xmx512m"))) {
            closed = broker;
            child = broker.processHandle();
            assertThat(child.pid()).isNotEqualTo(ProcessHandle.current().pid());
            String bootstrap = broker.bootstrapServers();
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
                admin.createTopics(List.of(new NewTopic("process-check", 1, (short) 1)))
                        .all()
                        .get(1, TimeUnit.MINUTES);
            }
            try (var producer = new KafkaProducer<>(
                    Map.<String, Object>of("bootstrap.servers", bootstrap),
                    new StringSerializer(),
                    new StringSerializer())) {
                producer.send(new ProducerRecord<>("process-check", "k", "hello"))
                        .get(1, TimeUnit.MINUTES);
            }
            try (var consumer = new KafkaConsumer<>(
                    Map.<String, Object>of(
                            "bootstrap.servers", bootstrap, ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                    new StringDeserializer(),
                    new StringDeserializer())) {
                consumer.assign(List.of(new TopicPartition("process-check", 0)));
                var records = consumer.poll(Duration.ofSeconds(30));
                assertThat(records).extracting(r -> r.value()).containsExactly("hello");
            }
        }
        // ended by itself when its stdin closed (a forced kill after the 30 s grace would not exit 0)
        assertThat(child.isAlive()).isFalse();
        assertThat(closed.exitValue()).hasValue(0);
    }
}
