package dev.loopline.runtime.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loopline.api.internal.DefinitionHealth;
import dev.loopline.api.internal.ReleaseToken;
import dev.loopline.api.serde.InternalAvroSerde;
import dev.loopline.api.v1.Acknowledgement;
import dev.loopline.api.v1.DefinitionStatus;
import dev.loopline.api.v1.InstanceTransition;
import dev.loopline.api.v1.Outcome;
import dev.loopline.api.v1.PlatformEvent;
import dev.loopline.api.v1.WorkflowMessage;
import dev.loopline.runtime.config.StreamsSettings;
import dev.loopline.runtime.domain.Fixtures;
import dev.loopline.runtime.domain.InstanceIds;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input stops nothing: garbage on the global topics, an oversized record, and acknowledgements
 * that anybody could have written ahead of their message.
 */
class PoisonInputTest extends TopologyHarness {

    @TempDir
    Path stateDir;

    private static final byte[] GARBAGE = "{\"not\":\"avro\"}".getBytes(StandardCharsets.UTF_8);
    private static final String INSTANCE = InstanceIds.instanceId("event-1", "expense-approval");

    @Override
    protected Instant wallClockStart() {
        return Fixtures.T0;
    }

    @Override
    protected Map<String, String> settings() {
        return Map.of("LOOPLINE_LIMIT_RECORD_BYTES", "4096");
    }

    @Test
    void shouldReadGarbageOnTheGlobalTopicsAsAbsentAndKeepMatching() {
        // given
        definitions().publishRaw("broken", GARBAGE);
        definitions().publishRaw("typo", event("e-0")); // an event where a definition belongs
        publishRaw(topics.definitionHealth(), "expense-approval", GARBAGE);
        definitions().activateExpenseApproval();

        // when
        events().publish(Fixtures.expenseSubmitted("event-1", "report-1"));

        // then
        assertThat(recorded().transitions())
                .extracting(InstanceTransition::getInstanceId)
                .containsOnly(INSTANCE);
    }

    @Test
    void shouldTreatGarbageWrittenOverADefinitionAsItsDeletion() {
        // given
        definitions().activateExpenseApproval();
        definitions().publishRaw("expense-approval", GARBAGE);

        // when
        events().publish(Fixtures.expenseSubmitted("event-1", "report-1"));

        // then: what a process restoring the compacted topic would also see: the garbage is the key's last record
        assertThat(recorded().transitions()).isEmpty();
    }

    @Test
    void shouldDeadLetterAnEventOverTheSizeLimitAndKeepProcessing() {
        // given
        definitions().activateExpenseApproval();
        PlatformEvent large = PlatformEvent.newBuilder(Fixtures.expenseSubmitted("event-big", "report-9"))
                .setAttributes(Map.of("amount", 10L, "note", "x".repeat(5_000)))
                .build();

        // when
        events().publish(large);
        events().publish(Fixtures.expenseSubmitted("event-1", "report-1"));

        // then: its dead letter is written by the deserialization handler, which TopologyTestDriver does
        // not run: BadRecordHandlerTest and PoisonRecordIT see it
        assertThat(recorded().transitions())
                .extracting(InstanceTransition::getInstanceId)
                .containsOnly(INSTANCE);
    }

    @Test
    void shouldGiveAnAcknowledgementPlantedBeforeItsEventNoEffect() {
        // given
        definitions().activateExpenseApproval();
        acks().send(startedAck(Outcome.FAILED, "guessed"));

        // when
        events().publish(Fixtures.expenseSubmitted("event-1", "report-1"));

        // then
        assertThat(recorded().statusCodes()).containsExactly(0, 20, 10);
        WorkflowMessage started = recorded().messages().get(0);
        Recording afterTheRealAnswer = recorded().fromNowOn();
        acks().send(startedAck(Outcome.SUCCEEDED, started.getReplyToken()));
        assertThat(afterTheRealAnswer.statusCodes()).containsExactly(20, 10);
        // the planted one expires into the dead-letter topic
        clock().advance(Duration.ofMinutes(61));
        TestRecord<byte[], byte[]> dead = recorded().deadLetters().get(0);
        assertThat(header(dead, "__streams.errors.message"))
                .contains("no instance started within PT1H whose message it answers with the message's reply token");
    }

    @Test
    void shouldDeadLetterAnAcknowledgementThatDoesNotEchoItsMessagesToken() {
        // given
        definitions().activateExpenseApproval();
        events().publish(Fixtures.expenseSubmitted("event-1", "report-1"));
        Recording afterwards = recorded().fromNowOn();

        // when
        acks().send(startedAck(Outcome.FAILED, "guessed"));
        acks().send(startedAck(Outcome.FAILED, null));

        // then
        assertThat(afterwards.transitions()).isEmpty();
        List<TestRecord<byte[], byte[]>> dead = recorded().deadLetters();
        assertThat(dead).hasSize(2);
        assertThat(header(dead.get(0), "__streams.errors.message")).contains("does not echo the message's reply token");
    }

    /**
     * The instance half's application reads the global topics once more, and dead-letters what it
     * cannot read. The audit is not part of the topology the harness runs, so it gets a driver of its own.
     */
    @Test
    void shouldDeadLetterUnreadableRecordsOfTheGlobalTopicsOnceThroughTheAudit() {
        // given
        LooplineTopology.Parts parts = LooplineTopology.buildParts(topics, serdes, config.topologyOptions());
        Properties settings = StreamsSettings.of(config);
        settings.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        try (TopologyTestDriver audit = new TopologyTestDriver(parts.instances(), settings)) {
            TestInputTopic<String, byte[]> definitionsTopic =
                    audit.createInputTopic(topics.definitions(), new StringSerializer(), new ByteArraySerializer());
            TestInputTopic<String, byte[]> healthTopic = audit.createInputTopic(
                    topics.definitionHealth(), new StringSerializer(), new ByteArraySerializer());
            TestOutputTopic<byte[], byte[]> dead = audit.createOutputTopic(
                    topics.deadLetters(), new ByteArrayDeserializer(), new ByteArrayDeserializer());

            // when
            definitionsTopic.pipeInput("good", definitionBytes());
            definitionsTopic.pipeInput("broken", GARBAGE);
            definitionsTopic.pipeInput("typo", event("e-0"));
            definitionsTopic.pipeInput("unknown-schema", new byte[] {0, 0, 0, 0x7f, 0x7f, 1, 2});
            healthTopic.pipeInput(
                    "good", new InternalAvroSerde<>(DefinitionHealth.class).encode(new DefinitionHealth("good", 0)));
            healthTopic.pipeInput(
                    "wrong-type", new InternalAvroSerde<>(ReleaseToken.class).encode(new ReleaseToken("t", "i")));

            // then
            List<TestRecord<byte[], byte[]>> records = dead.readRecordsToList();
            assertThat(records)
                    .extracting(r -> new String(r.key(), StandardCharsets.UTF_8))
                    .containsExactly("broken", "typo", "unknown-schema", "wrong-type");
            assertThat(header(records.get(0), "__streams.errors.message")).contains("not in the Confluent wire format");
            assertThat(header(records.get(1), "__streams.errors.message"))
                    .contains("is dev.loopline.api.v1.PlatformEvent, not dev.loopline.api.v1.WorkflowDefinition");
            assertThat(header(records.get(2), "__streams.errors.message")).contains("schema 32639 not found");
            assertThat(header(records.get(3), "__streams.errors.topic")).isEqualTo(topics.definitionHealth());
        }
    }

    private byte[] event(String eventId) {
        return serdes.valueSerde(PlatformEvent.class)
                .serializer()
                .serialize(topics.events(), Fixtures.expenseSubmitted(eventId, "report-0"));
    }

    private byte[] definitionBytes() {
        return serdes.valueSerde(dev.loopline.api.v1.WorkflowDefinition.class)
                .serializer()
                .serialize(topics.definitions(), Fixtures.expenseApproval(DefinitionStatus.ACTIVE));
    }

    /** An answer to the "workflow started" message of the instance, with a reply token of the test's choice. */
    private static Acknowledgement startedAck(Outcome outcome, String replyToken) {
        return answer(INSTANCE, InstanceIds.startedMessageId(INSTANCE))
                .setOutcome(outcome)
                .setReplyToken(replyToken)
                .build();
    }
}
