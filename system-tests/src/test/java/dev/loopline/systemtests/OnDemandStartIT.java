package dev.loopline.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.loopline.api.TopicProvisioner;
import dev.loopline.api.Topics;
import dev.loopline.api.v1.MessageKind;
import dev.loopline.api.v1.WorkflowMessage;
import dev.loopline.client.Ack;
import dev.loopline.gateway.EventGateway;
import dev.loopline.gateway.GatewayConfig;
import dev.loopline.runtime.LooplineRuntime;
import dev.loopline.runtime.config.RuntimeConfig;
import dev.loopline.runtime.domain.InstanceIds;
import dev.loopline.systemtests.support.Examples;
import dev.loopline.systemtests.support.GatewayClient;
import dev.loopline.systemtests.support.TestRuntime;
import dev.loopline.systemtests.support.TestTopics;
import dev.loopline.testsupport.handler.AcknowledgingHandler;
import dev.loopline.testsupport.infra.Infrastructure;
import dev.loopline.testsupport.junit.LooplineInfrastructureExtension;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Dynamics' on-demand workflow ({@code examples/credit-review.json}): an operator starts a definition on one record with initiation data,
 * through the gateway, on a real broker and registry. Invalid data is refused with its fields; valid
 * data starts one instance, which reads it; the same request id again starts nothing more.
 */
@ExtendWith(LooplineInfrastructureExtension.class)
class OnDemandStartIT {

    @Test
    void shouldRefuseInvalidInitiationDataThenStartOneInstanceWithValidData(Infrastructure infra) throws Exception {
        // given
        Topics topics = TestTopics.unique("on-demand");
        try (Admin admin = infra.admin()) {
            TopicProvisioner.ensureTopics(admin, topics, 3, (short) 1);
        }
        Map<String, String> settings = TestRuntime.settings(infra, topics);
        settings.put("LOOPLINE_HTTP_HOST", "127.0.0.1");
        settings.put("LOOPLINE_HTTP_PORT", "0");
        List<WorkflowMessage> received = new CopyOnWriteArrayList<>();

        try (LooplineRuntime runtime = LooplineRuntime.start(RuntimeConfig.from(settings));
                EventGateway eventGateway = EventGateway.start(GatewayConfig.from(settings));
                AcknowledgingHandler handler =
                        AcknowledgingHandler.start(infra.clientConfig(), topics, topics.prefix() + "app", message -> {
                            received.add(message);
                            return Ack.succeeded();
                        })) {
            GatewayClient gateway = new GatewayClient(eventGateway.port());
            assertThat(gateway.post("/v1/definitions", Examples.read("credit-review.json"))
                            .status())
                    .isEqualTo(201);
            assertThat(gateway.post("/v1/definitions/credit-review/activate", "")
                            .status())
                    .isEqualTo(200);
            assertThat(runtime.awaitRunning(Duration.ofSeconds(60))).isTrue();
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> runtime.catalogEntry("credit-review").isPresent());

            // when: invalid initiation data
            GatewayClient.Response invalid = gateway.post("/v1/definitions/credit-review/instances", """
                    {"entityId":"acc-7","requestId":"r-1","inputs":{"limit":-5,"colour":"red"}}""");

            // then: refused with each field, and nothing starts
            assertThat(invalid.status()).isEqualTo(400);
            assertThat(invalid.json().get("errors").findValuesAsText("field"))
                    .containsExactly("inputs.colour", "inputs.limit", "inputs.reason");

            // when: valid data, twice under one request id
            String valid = """
                    {"entityId":"acc-7","requestId":"r-1","inputs":{"reason":"annual audit","limit":5000}}""";
            GatewayClient.Response first = gateway.post("/v1/definitions/credit-review/instances", valid);
            GatewayClient.Response again = gateway.post("/v1/definitions/credit-review/instances", valid);

            // then: one instance, which read the data and completed
            assertThat(first.status()).isEqualTo(202);
            assertThat(again.status()).isEqualTo(202);
            String instance = first.json().get("instanceId").asText();
            assertThat(again.json().get("instanceId").asText()).isEqualTo(instance);
            WorkflowMessage review = await().atMost(Duration.ofSeconds(60))
                    .until(() -> find(received, MessageKind.STEP_REQUEST), m -> m != null);
            assertThat(review.getInstanceId()).isEqualTo(instance);
            assertThat(review.getPayload())
                    .containsEntry("reason", "annual audit")
                    .containsEntry("limit", 5000L)
                    .containsEntry("account", "acc-7");
            await().atMost(Duration.ofSeconds(60))
                    .untilAsserted(() -> assertThat(status(gateway, instance)).isEqualTo(30));
            await().atMost(Duration.ofSeconds(30))
                    .untilAsserted(() -> assertThat(gateway.listed("/v1/instances?definitionId=credit-review"))
                            .isEqualTo(1));
            assertThat(received)
                    .filteredOn(message -> message.getKind() == MessageKind.STEP_REQUEST)
                    .hasSize(1);
            assertThat(handler.handled()).isGreaterThanOrEqualTo(2); // "workflow started" and the review

            // and: the same request id on another account is another request
            GatewayClient.Response other = gateway.post("/v1/definitions/credit-review/instances", """
                    {"entityId":"acc-8","requestId":"r-1","inputs":{"reason":"annual audit"}}""");
            assertThat(other.status()).isEqualTo(202);
            assertThat(other.json().get("instanceId").asText()).isNotEqualTo(instance);

            // and: a definition that does not exist starts nothing
            assertThat(gateway.post("/v1/definitions/nothing-here/instances", "{\"entityId\":\"acc-7\"}")
                            .status())
                    .isEqualTo(404);
        }
    }

    @Test
    void shouldStartAChildWorkflowFromAStepOfAnother(Infrastructure infra) throws Exception {
        // given: credit-review on demand, and a parent that starts it for a new account
        Topics topics = TestTopics.unique("child");
        try (Admin admin = infra.admin()) {
            TopicProvisioner.ensureTopics(admin, topics, 3, (short) 1);
        }
        Map<String, String> settings = TestRuntime.settings(infra, topics);
        settings.put("LOOPLINE_HTTP_HOST", "127.0.0.1");
        settings.put("LOOPLINE_HTTP_PORT", "0");
        List<WorkflowMessage> received = new CopyOnWriteArrayList<>();
        try (LooplineRuntime runtime = LooplineRuntime.start(RuntimeConfig.from(settings));
                EventGateway eventGateway = EventGateway.start(GatewayConfig.from(settings));
                AcknowledgingHandler handler =
                        AcknowledgingHandler.start(infra.clientConfig(), topics, topics.prefix() + "app", message -> {
                            received.add(message);
                            return Ack.succeeded();
                        })) {
            GatewayClient gateway = new GatewayClient(eventGateway.port());
            assertThat(gateway.post("/v1/definitions", Examples.read("credit-review.json"))
                            .status())
                    .isEqualTo(201);
            assertThat(gateway.post("/v1/definitions", """
                            {"id":"onboarding","name":"Onboarding","trigger":{"entityType":"account","messageName":"Create"},
                             "steps":[{"name":"review","kind":"start-workflow","definition":"credit-review",
                                       "inputs":{"reason":"='new account ' + trigger.entityId"}}]}""").status()).isEqualTo(201);
            for (String id : List.of("credit-review", "onboarding")) {
                assertThat(gateway.post("/v1/definitions/" + id + "/activate", "")
                                .status())
                        .isEqualTo(200);
                await().atMost(Duration.ofSeconds(30))
                        .until(() -> runtime.catalogEntry(id).isPresent());
            }
            assertThat(runtime.awaitRunning(Duration.ofSeconds(60))).isTrue();

            // when
            assertThat(gateway.post("/v1/events", """
                            {"eventId":"acc-3-created","source":"crm","entityType":"account","entityId":"acc-3",
                             "messageName":"Create"}""").status()).isEqualTo(202);

            // then: the child reviews the new account with the parent's inputs, one cause deeper
            WorkflowMessage review = await().atMost(Duration.ofSeconds(60))
                    .until(() -> find(received, MessageKind.STEP_REQUEST), m -> m != null);
            assertThat(review.getDefinitionId()).isEqualTo("credit-review");
            assertThat(review.getPayload())
                    .containsEntry("reason", "new account acc-3")
                    .containsEntry("account", "acc-3");
            String parent = InstanceIds.instanceId("acc-3-created", "onboarding");
            await().atMost(Duration.ofSeconds(60))
                    .untilAsserted(() -> assertThat(status(gateway, parent)).isEqualTo(30));
            await().atMost(Duration.ofSeconds(60))
                    .untilAsserted(() ->
                            assertThat(status(gateway, review.getInstanceId())).isEqualTo(30));
            assertThat(handler.handled()).isGreaterThanOrEqualTo(3);
        }
    }

    private static int status(GatewayClient gateway, String instance) {
        var response = gateway.get("/v1/instances/" + instance);
        return response.status() == 200 ? response.json().get("statusCode").asInt() : -1;
    }

    private static WorkflowMessage find(List<WorkflowMessage> messages, MessageKind kind) {
        return messages.stream().filter(m -> m.getKind() == kind).findFirst().orElse(null);
    }
}
