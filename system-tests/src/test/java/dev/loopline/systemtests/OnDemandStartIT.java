package dev.loopline.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.loopline.api.v1.MessageKind;
import dev.loopline.api.v1.WorkflowMessage;
import dev.loopline.client.Ack;
import dev.loopline.runtime.domain.InstanceIds;
import dev.loopline.systemtests.support.Examples;
import dev.loopline.systemtests.support.GatewayClient;
import dev.loopline.systemtests.support.RunningLoop;
import dev.loopline.testsupport.infra.Infrastructure;
import dev.loopline.testsupport.junit.LooplineInfrastructureExtension;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Dynamics' on-demand workflow ({@code examples/credit-review.json}) on a real broker and registry:
 * an operator starts a definition on one record with initiation data. Invalid data is refused with
 * its fields; valid data starts one instance, which reads it; the same request id again starts
 * nothing more. A workflow's start-workflow step starts the same definition as a child.
 */
@ExtendWith(LooplineInfrastructureExtension.class)
class OnDemandStartIT {

    private static final String START = "/v1/definitions/credit-review/instances";

    @Test
    void shouldRefuseInvalidInitiationDataThenStartOneInstanceWithValidData(Infrastructure infra) throws Exception {
        try (RunningLoop loop = RunningLoop.start(infra, "on-demand", message -> Ack.succeeded())) {
            // given
            loop.activate(Examples.read("credit-review.json"));
            GatewayClient gateway = loop.gateway;

            // when: invalid initiation data
            GatewayClient.Response invalid = gateway.post(START, """
                    {"entityId":"acc-7","requestId":"r-1","inputs":{"limit":-5,"colour":"red"}}""");

            // then: refused with each field, and nothing starts
            assertThat(invalid.status()).isEqualTo(400);
            assertThat(invalid.json().get("errors").findValuesAsText("field"))
                    .containsExactly("inputs.colour", "inputs.limit", "inputs.reason");

            // when: valid data, twice under one request id
            String valid = """
                    {"entityId":"acc-7","requestId":"r-1","inputs":{"reason":"annual audit","limit":5000}}""";
            GatewayClient.Response first = gateway.post(START, valid);
            GatewayClient.Response again = gateway.post(START, valid);

            // then: one instance, which read the data and completed
            assertThat(first.status()).isEqualTo(202);
            assertThat(again.status()).isEqualTo(202);
            String instance = first.json().get("instanceId").asText();
            assertThat(again.json().get("instanceId").asText()).isEqualTo(instance);
            WorkflowMessage review = await().atMost(Duration.ofSeconds(60))
                    .until(() -> loop.first(MessageKind.STEP_REQUEST), m -> m != null);
            assertThat(review.getInstanceId()).isEqualTo(instance);
            assertThat(review.getPayload())
                    .containsEntry("reason", "annual audit")
                    .containsEntry("limit", 5000L)
                    .containsEntry("account", "acc-7");
            await().atMost(Duration.ofSeconds(60))
                    .untilAsserted(() -> assertThat(loop.status(instance)).isEqualTo(30));
            await().atMost(Duration.ofSeconds(30))
                    .untilAsserted(() -> assertThat(gateway.listed("/v1/instances?definitionId=credit-review"))
                            .isEqualTo(1));
            assertThat(loop.received)
                    .filteredOn(message -> message.getKind() == MessageKind.STEP_REQUEST)
                    .hasSize(1);
            assertThat(loop.handler.handled()).isGreaterThanOrEqualTo(2); // "workflow started" and the review

            // and: the same request id on another account is another request
            GatewayClient.Response other = gateway.post(START, """
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
    void shouldCallAChildWorkflowFromAStepOfAnotherAndWaitForIt(Infrastructure infra) throws Exception {
        try (RunningLoop loop = RunningLoop.start(infra, "child", message -> Ack.succeeded())) {
            // given: credit-review on demand, and a parent that calls it for a new account
            loop.activate(Examples.read("credit-review.json"), """
                    {"id":"onboarding","name":"Onboarding","trigger":{"entityType":"account","messageName":"Create"},
                     "steps":[{"name":"review","kind":"call-workflow","definition":"credit-review",
                               "inputs":{"reason":"='new account ' + trigger.entityId"}},
                              {"name":"welcome","kind":"send-message","messageName":"Welcome",
                               "payload":{"reviewedIn":"=steps.review.instanceId"}}]}""");

            // when
            assertThat(loop.gateway.post("/v1/events", """
                            {"eventId":"acc-3-created","source":"crm","entityType":"account","entityId":"acc-3",
                             "messageName":"Create"}""").status()).isEqualTo(202);

            // then: the child reviews the new account with the parent's inputs, and both complete
            WorkflowMessage review = await().atMost(Duration.ofSeconds(60))
                    .until(() -> loop.first(MessageKind.STEP_REQUEST), m -> m != null);
            assertThat(review.getDefinitionId()).isEqualTo("credit-review");
            assertThat(review.getPayload())
                    .containsEntry("reason", "new account acc-3")
                    .containsEntry("account", "acc-3");
            String parent = InstanceIds.instanceId("acc-3-created", "onboarding");
            await().atMost(Duration.ofSeconds(60))
                    .untilAsserted(() ->
                            assertThat(loop.status(review.getInstanceId())).isEqualTo(30));
            // and the parent, which waited for it, goes on only then, naming it
            await().atMost(Duration.ofSeconds(60))
                    .untilAsserted(() -> assertThat(loop.status(parent)).isEqualTo(30));
            assertThat(loop.first("Welcome").getPayload()).containsEntry("reviewedIn", review.getInstanceId());
            assertThat(loop.gateway
                            .get("/v1/instances/" + review.getInstanceId())
                            .json()
                            .get("parentInstanceId")
                            .asText())
                    .isEqualTo(parent);
            assertThat(loop.received.indexOf(loop.first("Welcome"))).isGreaterThan(loop.received.indexOf(review));
            assertThat(loop.handler.handled()).isGreaterThanOrEqualTo(4);
        }
    }
}
