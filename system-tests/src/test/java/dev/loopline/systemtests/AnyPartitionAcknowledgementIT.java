package dev.loopline.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loopline.api.TopicProvisioner;
import dev.loopline.api.Topics;
import dev.loopline.api.serde.AvroSerdes;
import dev.loopline.api.v1.Acknowledgement;
import dev.loopline.api.v1.PlatformEvent;
import dev.loopline.api.v1.WorkflowMessage;
import dev.loopline.client.Ack;
import dev.loopline.gateway.EventGateway;
import dev.loopline.gateway.GatewayConfig;
import dev.loopline.runtime.LooplineRuntime;
import dev.loopline.runtime.config.RuntimeConfig;
import dev.loopline.runtime.domain.InstanceIds;
import dev.loopline.systemtests.support.ConsistentRandomPartitioner;
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
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A handler that partitions its acknowledgements like librdkafka ({@code consistent_random}: CRC-32
 * of the key), not like Java's murmur2: most acknowledgements arrive on another partition than their
 * instance's. Every instance completes all the same, and nothing is dead-lettered but the one
 * acknowledgement that was meant to be (a forged reply token), which an operator then replays,
 * mended, to the acks topic.
 */
@ExtendWith(LooplineInfrastructureExtension.class)
class AnyPartitionAcknowledgementIT {

    private static final int PARTITIONS = 6;
    private static final int INSTANCES = 60;

    @Test
    void shouldCompleteEveryInstanceWhateverPartitionItsAcknowledgementsArriveOn(Infrastructure infra)
            throws Exception {
        // given
        Topics topics = TestTopics.unique("any-partition");
        try (Admin admin = infra.admin()) {
            TopicProvisioner.ensureTopics(admin, topics, PARTITIONS, (short) 1);
        }
        List<String> entities =
                IntStream.range(0, INSTANCES).mapToObj(i -> "report-" + i).toList();
        List<String> instances = entities.stream()
                .map(entity -> InstanceIds.instanceId("event-" + entity, "expenses"))
                .toList();
        long misrouted = instances.stream()
                .filter(AnyPartitionAcknowledgementIT::misrouted)
                .count();
        assertThat(misrouted)
                .as("acknowledgements off their instance's partition")
                .isGreaterThan(INSTANCES / 2);
        // one instance, off its partition, whose step is answered with a forged reply token
        String heldEvent = IntStream.range(0, 100)
                .mapToObj(i -> "event-held-" + i)
                .filter(eventId -> misrouted(InstanceIds.instanceId(eventId, "expenses")))
                .findFirst()
                .orElseThrow();
        String held = InstanceIds.instanceId(heldEvent, "expenses");
        AtomicReference<WorkflowMessage> forged = new AtomicReference<>();

        Map<String, Object> handlerConfig = new HashMap<>(infra.clientConfig());
        handlerConfig.put(ProducerConfig.PARTITIONER_CLASS_CONFIG, ConsistentRandomPartitioner.class.getName());
        Map<String, String> settings = TestRuntime.settings(infra, topics);
        settings.put("LOOPLINE_HTTP_HOST", "127.0.0.1");
        settings.put("LOOPLINE_HTTP_PORT", "0");
        try (LooplineRuntime runtime = LooplineRuntime.start(RuntimeConfig.from(settings));
                EventGateway eventGateway = EventGateway.start(GatewayConfig.from(settings));
                AcknowledgingHandler handler =
                        AcknowledgingHandler.start(handlerConfig, topics, topics.prefix() + "app", message -> {
                            if (message.getInstanceId().equals(held)
                                    && message.getMessageName().equals("RequestApproval")) {
                                forged.set(message);
                                forge(handlerConfig, topics, message);
                                return Ack.later(); // answered by the operator's replay below
                            }
                            return Ack.succeeded();
                        })) {
            GatewayClient gateway = new GatewayClient(eventGateway.port());
            Records.write(infra, topics, Samples.activeOneStep("expenses", "expense_report", "Submitted"));
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> runtime.catalogEntry("expenses").isPresent());

            // when
            try (KafkaProducer<String, PlatformEvent> events = Records.events(infra)) {
                for (String entity : entities) {
                    events.send(new ProducerRecord<>(
                            topics.events(),
                            entity,
                            Samples.event("event-" + entity, "expense_report", entity, "Submitted")));
                }
                events.send(new ProducerRecord<>(
                        topics.events(), "held", Samples.event(heldEvent, "expense_report", "held", "Submitted")));
            }

            // then: every instance succeeds, acknowledged on whatever partition
            await().atMost(Duration.ofSeconds(90))
                    .until(() -> instances.stream()
                            .allMatch(id -> gateway.get("/v1/instances/" + id)
                                            .json()
                                            .path("statusCode")
                                            .asInt()
                                    == 30));
            // and the one dead letter is the forged acknowledgement, rejected on its instance's partition
            List<JsonNode> letters = await().atMost(Duration.ofSeconds(60))
                    .until(() -> gateway.pageThrough("/v1/dead-letters?limit=50"), found -> !found.isEmpty());
            assertThat(letters).hasSize(1);
            JsonNode letter = letters.get(0);
            assertThat(letter.get("sourceTopic").asText()).isEqualTo(topics.acksRerouted());
            assertThat(letter.get("reason").asText()).contains("reply token");
            assertThat(gateway.get("/v1/instances/" + held)
                            .json()
                            .path("statusCode")
                            .asInt())
                    .isNotEqualTo(30);

            // when: an operator replays it with the message's own reply token
            byte[] mended = new AvroSerdes(infra.clientConfig())
                    .valueSerde(Acknowledgement.class)
                    .serializer()
                    .serialize(topics.acks(), AcknowledgingHandler.succeeded(forged.get()));
            var replayed = gateway.post(
                    "/v1/dead-letters/" + letter.get("id").asText() + "/replay",
                    "{\"value\":\"" + Base64.getEncoder().encodeToString(mended) + "\"}");

            // then: it goes back to acks, and its instance completes
            assertThat(replayed.status()).as(replayed.body()).isEqualTo(200);
            assertThat(replayed.json().get("topic").asText()).isEqualTo(topics.acks());
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> gateway.get("/v1/instances/" + held)
                                    .json()
                                    .path("statusCode")
                                    .asInt()
                            == 30);
            assertThat(gateway.pageThrough("/v1/dead-letters?limit=50")).hasSize(1);
            assertThat(handler.handled()).isGreaterThanOrEqualTo(2L * INSTANCES + 1);
        }
    }

    /** An answer with a reply token that is not the message's, as librdkafka's partitioner would place it. */
    private static void forge(Map<String, Object> clientConfig, Topics topics, WorkflowMessage message) {
        Acknowledgement forged = AcknowledgingHandler.succeeded(message);
        forged.setReplyToken("forged");
        try (KafkaProducer<String, Acknowledgement> producer = new KafkaProducer<>(
                clientConfig,
                new StringSerializer(),
                new AvroSerdes(clientConfig).valueSerde(Acknowledgement.class).serializer())) {
            producer.send(new ProducerRecord<>(topics.acks(), message.getInstanceId(), forged));
        }
    }

    /** Whether librdkafka's default partitioner puts this instance's acknowledgements off its partition. */
    private static boolean misrouted(String instanceId) {
        int murmur2 = Utils.toPositive(Utils.murmur2(instanceId.getBytes(StandardCharsets.UTF_8))) % PARTITIONS;
        return ConsistentRandomPartitioner.partition(instanceId, PARTITIONS) != murmur2;
    }
}
