package dev.loopline.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.loopline.api.Topics;
import dev.loopline.api.serde.AvroSerdes;
import dev.loopline.api.v1.InstanceTransition;
import dev.loopline.runtime.LooplineRuntime;
import dev.loopline.runtime.config.RuntimeConfig;
import dev.loopline.runtime.domain.InstanceIds;
import dev.loopline.systemtests.support.Records;
import dev.loopline.systemtests.support.Samples;
import dev.loopline.systemtests.support.TestRuntime;
import dev.loopline.systemtests.support.TestTopics;
import dev.loopline.systemtests.support.TopicReader;
import dev.loopline.testsupport.infra.Infrastructure;
import dev.loopline.testsupport.junit.LooplineInfrastructureExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A record that is not in the wire format goes to the dead-letter topic with its reason; the next one is processed. */
@ExtendWith(LooplineInfrastructureExtension.class)
class PoisonRecordIT {

    @Test
    void shouldDeadLetterAPoisonEventWithItsReasonAndKeepProcessing(Infrastructure infra) throws Exception {
        // given
        Topics topics = TestTopics.unique("poison");
        Map<String, String> settings = TestRuntime.settings(infra, topics);
        settings.put("LOOPLINE_PARTITIONS", "1");
        RuntimeConfig config = RuntimeConfig.from(settings);
        byte[] poison = "{\"entityType\":\"expense_report\"}".getBytes(StandardCharsets.UTF_8);

        try (LooplineRuntime runtime = LooplineRuntime.start(config);
                var deadLetters = TopicReader.raw(infra.bootstrapServers(), topics.deadLetters());
                var transitions = TopicReader.values(
                        infra.bootstrapServers(),
                        topics.transitions(),
                        new AvroSerdes(infra.clientConfig())
                                .valueSerde(InstanceTransition.class)
                                .deserializer())) {
            Records.write(infra, topics, Samples.activeOneStep("expenses", "expense_report", "Submitted"));
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> runtime.catalogEntry("expenses").isPresent());

            // when: a poison record, then a good event behind it on the same partition
            try (var raw = new KafkaProducer<>(
                    Map.<String, Object>of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, infra.bootstrapServers()),
                    new StringSerializer(),
                    new ByteArraySerializer())) {
                raw.send(new ProducerRecord<>(topics.events(), "report-1", poison));
            }
            try (var events = Records.events(infra)) {
                events.send(new ProducerRecord<>(
                        topics.events(), "report-2", Samples.event("good", "expense_report", "report-2", "Submitted")));
            }

            // then
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> !deadLetters.poll().isEmpty());
            ConsumerRecord<byte[], byte[]> dead = deadLetters.readToEnd().get(0);
            assertThat(dead.value()).isEqualTo(poison);
            assertThat(new String(dead.key(), StandardCharsets.UTF_8)).isEqualTo("report-1");
            assertThat(header(dead, "__streams.errors.message")).contains("not in the Confluent wire format");
            assertThat(header(dead, "__streams.errors.exception")).contains("SerializationException");
            assertThat(header(dead, "__streams.errors.topic")).isEqualTo(topics.events());
            String good = InstanceIds.instanceId("good", "expenses");
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> transitions.poll().stream()
                            .anyMatch(r -> r.value().getInstanceId().equals(good)));
        }
    }

    private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
        var header = record.headers().lastHeader(name);
        assertThat(header).as("header %s", name).isNotNull();
        return new String(header.value(), StandardCharsets.UTF_8);
    }
}
