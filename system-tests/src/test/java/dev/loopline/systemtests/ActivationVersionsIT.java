package dev.loopline.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loopline.api.TopicProvisioner;
import dev.loopline.api.Topics;
import dev.loopline.api.serde.AvroSerdes;
import dev.loopline.api.v1.InstanceTransition;
import dev.loopline.api.v1.WorkflowDefinition;
import dev.loopline.api.v1.WorkflowMessage;
import dev.loopline.gateway.EventGateway;
import dev.loopline.gateway.GatewayConfig;
import dev.loopline.runtime.LooplineRuntime;
import dev.loopline.runtime.config.RuntimeConfig;
import dev.loopline.runtime.domain.InstanceIds;
import dev.loopline.systemtests.support.GatewayClient;
import dev.loopline.systemtests.support.TestRuntime;
import dev.loopline.systemtests.support.TestTopics;
import dev.loopline.systemtests.support.TopicReader;
import dev.loopline.testsupport.handler.AcknowledgingHandler;
import dev.loopline.testsupport.infra.Infrastructure;
import dev.loopline.testsupport.junit.LooplineInfrastructureExtension;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Each activation is a snapshot: an instance started under version 1 finishes under version 1
 * after version 2 is activated, while new events start version 2.
 */
@ExtendWith(LooplineInfrastructureExtension.class)
class ActivationVersionsIT {

    private static final String DEFINITION = """
            {"id":"versioned","name":"versioned","trigger":{"entityType":"order","messageName":"Create"},
             "steps":[
               {"name":"approval","kind":"wait-for-event","event":{"entityType":"order","messageName":"Approved","key":"trigger.entityId"}},
               {"name":"finish","kind":"send-message","messageName":"%s"}]}""";

    @Test
    void shouldFinishRunningInstancesOnTheirSnapshotWhileNewEventsUseTheNewVersion(Infrastructure infra)
            throws Exception {
        // given
        Topics topics = TestTopics.unique("activation");
        try (Admin admin = infra.admin()) {
            TopicProvisioner.ensureTopics(admin, topics, 3, (short) 1);
        }
        Map<String, String> settings = TestRuntime.settings(infra, topics);
        settings.put("LOOPLINE_HTTP_HOST", "127.0.0.1");
        settings.put("LOOPLINE_HTTP_PORT", "0");
        AvroSerdes serdes = new AvroSerdes(infra.clientConfig());

        try (LooplineRuntime runtime = LooplineRuntime.start(RuntimeConfig.from(settings));
                EventGateway eventGateway = EventGateway.start(GatewayConfig.from(settings));
                AcknowledgingHandler handler =
                        AcknowledgingHandler.start(infra.clientConfig(), topics, topics.prefix() + "app");
                var transitions = TopicReader.transitions(infra, topics);
                var messages = TopicReader.messages(infra, topics)) {
            GatewayClient gateway = new GatewayClient(eventGateway.port());
            assertThat(runtime.awaitRunning(Duration.ofSeconds(60))).isTrue();
            deployAndActivate(gateway, runtime, "FinishV1", 1);

            // an instance of version 1 starts and waits
            publish(gateway, "first", "order", "o-1", "Create");
            String first = InstanceIds.instanceId("first", "versioned");
            await().atMost(Duration.ofSeconds(60)).until(() -> waitingForEvent(transitions.poll(), first));

            // when: version 2 is activated, and a new event arrives
            assertThat(gateway.post("/v1/definitions/versioned/deactivate", "").status())
                    .isEqualTo(200);
            deployAndActivate(gateway, runtime, "FinishV2", 2);
            publish(gateway, "second", "order", "o-2", "Create");
            String second = InstanceIds.instanceId("second", "versioned");
            publish(gateway, "approve-1", "order", "o-1", "Approved");
            publish(gateway, "approve-2", "order", "o-2", "Approved");

            // then
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> completed(transitions.poll(), first) && completed(transitions.poll(), second));
            List<InstanceTransition> all =
                    transitions.readToEnd().stream().map(ConsumerRecord::value).toList();
            assertThat(all)
                    .filteredOn(t -> t.getInstanceId().equals(first))
                    .allSatisfy(t -> assertThat(t.getDefinitionVersion()).isEqualTo(1));
            assertThat(all)
                    .filteredOn(t -> t.getInstanceId().equals(second))
                    .allSatisfy(t -> assertThat(t.getDefinitionVersion()).isEqualTo(2));
            List<WorkflowMessage> finishes = messages.readToEnd().stream()
                    .map(ConsumerRecord::value)
                    .filter(m -> m.getMessageName().startsWith("Finish"))
                    .toList();
            assertThat(finishes)
                    .extracting(WorkflowMessage::getInstanceId, WorkflowMessage::getMessageName)
                    .containsExactlyInAnyOrder(
                            org.assertj.core.groups.Tuple.tuple(first, "FinishV1"),
                            org.assertj.core.groups.Tuple.tuple(second, "FinishV2"));
            assertThat(handler.handled()).isGreaterThanOrEqualTo(4);

            // and: the definitions list shows both versions, the active one and the instances' counts
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                var listed = gateway.get("/v1/definitions");
                assertThat(listed.status()).isEqualTo(200);
                JsonNode versioned = listed.json().get("items").get(0);
                assertThat(versioned.get("id").asText()).isEqualTo("versioned");
                assertThat(versioned.get("status").asText()).isEqualTo("ACTIVE");
                assertThat(versioned.get("activeVersion").asInt()).isEqualTo(2);
                assertThat(versioned.get("versions").findValuesAsText("version"))
                        .containsExactly("1", "2");
                assertThat(versioned
                                .path("instances")
                                .path("COMPLETED")
                                .path("30")
                                .asInt())
                        .isEqualTo(2);
            });
            var firstVersion = gateway.get("/v1/definitions/versioned/versions/1");
            assertThat(firstVersion.status()).isEqualTo(200);
            assertThat(firstVersion.json().get("version").asInt()).isEqualTo(1);
            assertThat(firstVersion.json().path("document").toString()).contains("FinishV1");
            assertThat(gateway.get("/v1/definitions/versioned/versions/2")
                            .json()
                            .path("document")
                            .toString())
                    .contains("FinishV2");
            assertThat(gateway.get("/v1/definitions/versioned/versions/3").status())
                    .isEqualTo(404);
        }
    }

    private static void deployAndActivate(GatewayClient gateway, LooplineRuntime runtime, String finish, int version) {
        var saved = gateway.post("/v1/definitions", DEFINITION.formatted(finish));
        assertThat(saved.status()).isEqualTo(201);
        assertThat(saved.json().get("version").asInt()).isEqualTo(version);
        assertThat(gateway.post("/v1/definitions/versioned/activate", "").status())
                .isEqualTo(200);
        await().atMost(Duration.ofSeconds(30))
                .until(() -> runtime.catalogEntry("versioned")
                        .filter(d -> d.getVersion() == version
                                && d.getStatus().name().equals("ACTIVE"))
                        .map(WorkflowDefinition::getVersion)
                        .isPresent());
    }

    private static void publish(GatewayClient gateway, String eventId, String type, String id, String message) {
        var response = gateway.post("/v1/events", """
                {"eventId":"%s","source":"erp","entityType":"%s","entityId":"%s","messageName":"%s"}""".formatted(eventId, type, id, message));
        assertThat(response.status()).isEqualTo(202);
    }

    private static boolean waitingForEvent(List<ConsumerRecord<String, InstanceTransition>> records, String instance) {
        return records.stream()
                .map(ConsumerRecord::value)
                .anyMatch(t -> t.getInstanceId().equals(instance)
                        && t.getReason() != null
                        && t.getReason().startsWith("waiting for Approved"));
    }

    private static boolean completed(List<ConsumerRecord<String, InstanceTransition>> records, String instance) {
        return records.stream()
                .map(ConsumerRecord::value)
                .anyMatch(t -> t.getInstanceId().equals(instance) && t.getStatusCode() == 30);
    }
}
