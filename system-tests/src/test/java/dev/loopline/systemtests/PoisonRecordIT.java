package dev.loopline.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.loopline.api.TopicProvisioner;
import dev.loopline.api.Topics;
import dev.loopline.api.internal.DefinitionHealth;
import dev.loopline.api.internal.ReleaseToken;
import dev.loopline.api.serde.AvroSerdes;
import dev.loopline.api.serde.InternalAvroSerde;
import dev.loopline.api.v1.InstanceTransition;
import dev.loopline.api.v1.PlatformEvent;
import dev.loopline.api.v1.WorkflowDefinition;
import dev.loopline.runtime.LooplineRuntime;
import dev.loopline.runtime.config.RuntimeConfig;
import dev.loopline.runtime.domain.InstanceIds;
import dev.loopline.systemtests.support.Records;
import dev.loopline.systemtests.support.Samples;
import dev.loopline.systemtests.support.TestRuntime;
import dev.loopline.systemtests.support.TestTopics;
import dev.loopline.systemtests.support.TopicReader;
import dev.loopline.testsupport.handler.AcknowledgingHandler;
import dev.loopline.testsupport.infra.Directories;
import dev.loopline.testsupport.infra.Infrastructure;
import dev.loopline.testsupport.junit.LooplineInfrastructureExtension;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Every topic the runtime reads, the two global ones included, gets garbage, a record with a schema
 * nobody registered, and a record of the wrong type. Each goes to the dead-letter topic with its
 * reason, exactly once; the events behind them are processed; and a fresh process, with an empty
 * state directory that restores everything from the topics, starts past them and processes events.
 */
@ExtendWith(LooplineInfrastructureExtension.class)
class PoisonRecordIT {

    /** Avro's single-object marker and a fingerprint no schema has. */
    private static final byte[] UNKNOWN_FINGERPRINT = {(byte) 0xC3, 0x01, 1, 2, 3, 4, 5, 6, 7, 8, 2, 'x'};
    /** The Confluent wire format's magic byte and a schema id nobody registered. */
    private static final byte[] UNKNOWN_SCHEMA_ID = {0, 0x7f, 0x7f, 0x7f, 0x7f, 2, 'x'};

    private record Poison(String topic, String kind, byte[] value) {
        String key() {
            return "poison-" + topic + "-" + kind;
        }
    }

    @Test
    @Timeout(240)
    void shouldDeadLetterEveryKindOfBadRecordOnEveryInputTopicOnceAndKeepProcessing(Infrastructure infra)
            throws IOException {
        // given
        Topics topics = TestTopics.unique("poison");
        try (Admin admin = infra.admin()) {
            TopicProvisioner.ensureTopics(admin, topics, 1, (short) 1);
        }
        Map<String, String> settings = TestRuntime.settings(infra, topics);
        AvroSerdes serdes = new AvroSerdes(infra.clientConfig());
        byte[] anEvent = serdes.valueSerde(PlatformEvent.class)
                .serializer()
                .serialize(topics.events(), Samples.event("other", "expense_report", "report-0", "Submitted"));
        byte[] aDefinition = serdes.valueSerde(WorkflowDefinition.class)
                .serializer()
                .serialize(topics.definitions(), Samples.activeOneStep("other", "expense_report", "Submitted"));
        byte[] aToken = new InternalAvroSerde<>(ReleaseToken.class).encode(new ReleaseToken("token", "instance"));
        byte[] aHealth = new InternalAvroSerde<>(DefinitionHealth.class).encode(new DefinitionHealth("other", 0));
        List<Poison> poisons = new ArrayList<>();
        for (String topic : List.of(topics.events(), topics.acks(), topics.acksRerouted(), topics.definitions())) {
            poisons.add(new Poison(
                    topic, "garbage", "{\"entityType\":\"expense_report\"}".getBytes(StandardCharsets.UTF_8)));
            poisons.add(new Poison(topic, "unknown-schema", UNKNOWN_SCHEMA_ID));
            poisons.add(new Poison(topic, "wrong-type", topic.equals(topics.events()) ? aDefinition : anEvent));
        }
        for (String topic : List.of(
                topics.definitionHealth(),
                topics.instanceCommands(),
                topics.correlationCommands(),
                topics.dependencyCommands(),
                topics.definitionOutcomes())) {
            poisons.add(new Poison(topic, "garbage", "garbage".getBytes(StandardCharsets.UTF_8)));
            poisons.add(new Poison(topic, "unknown-schema", UNKNOWN_FINGERPRINT));
            poisons.add(new Poison(topic, "wrong-type", topic.equals(topics.dependencyCommands()) ? aHealth : aToken));
        }

        try (AcknowledgingHandler handler =
                        AcknowledgingHandler.start(infra.clientConfig(), topics, topics.prefix() + "handler");
                var deadLetters = TopicReader.raw(infra.bootstrapServers(), topics.deadLetters());
                var transitions = TopicReader.values(
                        infra.bootstrapServers(),
                        topics.transitions(),
                        serdes.valueSerde(InstanceTransition.class).deserializer())) {
            try (LooplineRuntime runtime = LooplineRuntime.start(RuntimeConfig.from(settings))) {
                Records.write(infra, topics, Samples.activeOneStep("expenses", "expense_report", "Submitted"));
                await().atMost(Duration.ofSeconds(60))
                        .until(() -> runtime.catalogEntry("expenses").isPresent());

                // when: every poison, then a good event behind them
                write(infra, poisons);
                publish(infra, topics, "good-1", "report-1");

                // then
                awaitSucceeded(transitions, InstanceIds.instanceId("good-1", "expenses"));
                Map<String, ConsumerRecord<byte[], byte[]>> dead = awaitDeadLetters(deadLetters, poisons);
                for (Poison poison : poisons) {
                    ConsumerRecord<byte[], byte[]> record = dead.get(poison.key());
                    assertThat(header(record, "__streams.errors.topic"))
                            .as(poison.key())
                            .isEqualTo(poison.topic());
                    assertThat(header(record, "__streams.errors.message"))
                            .as(poison.key())
                            .isNotBlank();
                    assertThat(record.value()).as(poison.key()).isEqualTo(poison.value());
                }
                assertThat(header(
                                dead.get(new Poison(topics.acks(), "wrong-type", null).key()),
                                "__streams.errors.message"))
                        .contains("is dev.loopline.api.v1.PlatformEvent, not dev.loopline.api.v1.Acknowledgement");
                assertThat(header(
                                dead.get(new Poison(topics.definitions(), "unknown-schema", null).key()),
                                "__streams.errors.message"))
                        .contains("answered 404");
            }

            // when: a fresh process, restoring every store (the global ones too) from the topics
            settings.put(
                    "LOOPLINE_STATE_DIR",
                    Directories.temporary("loopline-it-fresh-").toString());
            try (LooplineRuntime fresh = LooplineRuntime.start(RuntimeConfig.from(settings))) {
                await().atMost(Duration.ofSeconds(90))
                        .until(() -> fresh.catalogEntry("expenses").isPresent());
                publish(infra, topics, "good-2", "report-2");

                // then: it processes events, and dead-letters nothing a second time
                awaitSucceeded(transitions, InstanceIds.instanceId("good-2", "expenses"));
                assertThat(deadLetters.readToEnd()).hasSize(poisons.size());
                assertThat(handler.handled()).isEqualTo(4); // "workflow started" and the step, twice
            }
        }
    }

    private static void write(Infrastructure infra, List<Poison> poisons) {
        try (var raw = new KafkaProducer<>(
                Map.<String, Object>of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, infra.bootstrapServers()),
                new StringSerializer(),
                new ByteArraySerializer())) {
            poisons.forEach(poison -> raw.send(new ProducerRecord<>(poison.topic(), poison.key(), poison.value())));
        }
    }

    private static void publish(Infrastructure infra, Topics topics, String eventId, String entityId) {
        try (var events = Records.events(infra)) {
            events.send(new ProducerRecord<>(
                    topics.events(), entityId, Samples.event(eventId, "expense_report", entityId, "Submitted")));
        }
    }

    private static void awaitSucceeded(TopicReader<String, InstanceTransition> transitions, String instanceId) {
        await().atMost(Duration.ofSeconds(90))
                .until(() -> transitions.poll().stream()
                        .anyMatch(r -> r.value() != null
                                && r.value().getInstanceId().equals(instanceId)
                                && r.value().getStatusCode() == 30));
    }

    /** The dead letters by key, once there is one for every poison (and no other). */
    private static Map<String, ConsumerRecord<byte[], byte[]>> awaitDeadLetters(
            TopicReader<byte[], byte[]> deadLetters, List<Poison> poisons) {
        Set<String> expected = poisons.stream().map(Poison::key).collect(Collectors.toSet());
        await().atMost(Duration.ofSeconds(60)).until(() -> deadLetters.poll().size() >= poisons.size());
        Map<String, ConsumerRecord<byte[], byte[]>> byKey = deadLetters.readToEnd().stream()
                .collect(Collectors.toMap(
                        r -> new String(r.key(), StandardCharsets.UTF_8), Function.identity(), (a, b) -> {
                            throw new AssertionError(
                                    "dead-lettered twice: " + new String(a.key(), StandardCharsets.UTF_8));
                        }));
        assertThat(byKey.keySet()).isEqualTo(expected);
        return byKey;
    }

    private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
        var header = record.headers().lastHeader(name);
        assertThat(header).as("header %s", name).isNotNull();
        return new String(header.value(), StandardCharsets.UTF_8);
    }
}
