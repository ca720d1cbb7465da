package dev.loopline.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loopline.api.TopicProvisioner;
import dev.loopline.api.Topics;
import dev.loopline.gateway.EventGateway;
import dev.loopline.gateway.GatewayConfig;
import dev.loopline.runtime.LooplineRuntime;
import dev.loopline.runtime.config.RuntimeConfig;
import dev.loopline.runtime.domain.InstanceIds;
import dev.loopline.systemtests.support.GatewayClient;
import dev.loopline.systemtests.support.Records;
import dev.loopline.systemtests.support.Samples;
import dev.loopline.systemtests.support.TestRuntime;
import dev.loopline.systemtests.support.TestTopics;
import dev.loopline.testsupport.handler.AcknowledgingHandler;
import dev.loopline.testsupport.infra.Infrastructure;
import dev.loopline.testsupport.junit.LooplineInfrastructureExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Bad events reach the dead-letter topic, and an operator finds them through the gateway, the last
 * written first, with their source and reason, pages through them, and replays one mended: it
 * starts its instance. A dead letter from a topic that is not the deployment's is never written anywhere.
 */
@ExtendWith(LooplineInfrastructureExtension.class)
class DeadLetterReplayIT {

    @Test
    void shouldListDeadLettersWithTheirReasonsAndReplayAMendedEvent(Infrastructure infra) throws Exception {
        // given
        Topics topics = TestTopics.unique("dead-letters");
        try (Admin admin = infra.admin()) {
            TopicProvisioner.ensureTopics(admin, topics, 2, (short) 1);
        }
        Map<String, String> settings = TestRuntime.settings(infra, topics);
        settings.put("LOOPLINE_HTTP_HOST", "127.0.0.1");
        settings.put("LOOPLINE_HTTP_PORT", "0");
        try (LooplineRuntime runtime = LooplineRuntime.start(RuntimeConfig.from(settings));
                EventGateway eventGateway = EventGateway.start(GatewayConfig.from(settings));
                AcknowledgingHandler handler =
                        AcknowledgingHandler.start(infra.clientConfig(), topics, topics.prefix() + "app")) {
            GatewayClient gateway = new GatewayClient(eventGateway.port());
            Records.write(infra, topics, Samples.activeOneStep("expenses", "expense_report", "Submitted"));
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> runtime.catalogEntry("expenses").isPresent());

            // when: three events that cannot be read, and one dead letter from a foreign topic
            try (var raw = new KafkaProducer<>(
                    Map.<String, Object>of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, infra.bootstrapServers()),
                    new StringSerializer(),
                    new ByteArraySerializer())) {
                for (String key : List.of("report-1", "report-2", "report-3")) {
                    raw.send(new ProducerRecord<>(
                                    topics.events(), key, "{\"not\":\"avro\"}".getBytes(StandardCharsets.UTF_8)))
                            .get();
                }
                RecordHeaders foreign = new RecordHeaders();
                foreign.add("__streams.errors.topic", "someone-elses-topic".getBytes(StandardCharsets.UTF_8));
                raw.send(new ProducerRecord<>(topics.deadLetters(), null, "x", new byte[] {1}, foreign))
                        .get();
            }

            // then: all four are listed, each with where it came from and why
            List<JsonNode> listed = await().atMost(Duration.ofSeconds(60))
                    .until(() -> gateway.pageThrough("/v1/dead-letters?limit=1"), letters -> letters.size() == 4);
            assertThat(listed).extracting(l -> l.get("id").asText()).doesNotHaveDuplicates();
            // the last written first: in each partition of the dead-letter topic, offsets go down
            for (String partition : List.of("0-", "1-")) {
                assertThat(listed.stream()
                                .map(l -> l.get("id").asText())
                                .filter(id -> id.startsWith(partition))
                                .map(id -> Long.parseLong(id.substring(2)))
                                .toList())
                        .isSortedAccordingTo((a, b) -> Long.compare(b, a));
            }
            List<JsonNode> events = listed.stream()
                    .filter(l -> topics.events().equals(l.path("sourceTopic").asText()))
                    .toList();
            assertThat(events).hasSize(3).allSatisfy(letter -> {
                assertThat(letter.get("reason").asText()).contains("not in the Confluent wire format");
                assertThat(letter.get("sourceOffset").isIntegralNumber()).isTrue();
                assertThat(letter.get("key").asText()).startsWith("report-");
            });
            assertThat(gateway.pageThrough("/v1/dead-letters?limit=50")).isEqualTo(listed);

            // when: one is replayed, mended into a good event (raw bytes would skip the event's checks)
            JsonNode bad = events.get(0);
            assertThat(gateway.post("/v1/dead-letters/" + bad.get("id").asText() + "/replay", "{\"value\":\"AAAA\"}")
                            .status())
                    .isEqualTo(409);
            String entityId = bad.get("key").asText();
            var replayed =
                    gateway.post("/v1/dead-letters/" + bad.get("id").asText() + "/replay", """
                    {"event":{"eventId":"mended-1","source":"erp","entityType":"expense_report",
                              "entityId":"%s","messageName":"Submitted"}}""".formatted(entityId));

            // then: it goes to the events topic and its instance runs to the end
            assertThat(replayed.status()).as(replayed.body()).isEqualTo(200);
            assertThat(replayed.json().get("topic").asText()).isEqualTo(topics.events());
            String instance = InstanceIds.instanceId("mended-1", "expenses");
            await().atMost(Duration.ofSeconds(60))
                    .until(
                            () -> gateway.get("/v1/instances/" + instance).json(),
                            view -> view.path("statusCode").asInt() == 30);

            // and: the foreign one is refused, an unknown one is not found
            JsonNode foreign = listed.stream()
                    .filter(l ->
                            "someone-elses-topic".equals(l.path("sourceTopic").asText()))
                    .findFirst()
                    .orElseThrow();
            assertThat(gateway.post("/v1/dead-letters/" + foreign.get("id").asText() + "/replay", "")
                            .status())
                    .isEqualTo(409);
            assertThat(gateway.post("/v1/dead-letters/0-999999/replay", "").status())
                    .isEqualTo(404);
            assertThat(handler.handled()).isGreaterThanOrEqualTo(2);
        }
    }
}
