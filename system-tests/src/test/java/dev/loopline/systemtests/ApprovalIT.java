package dev.loopline.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loopline.api.security.ApiKeyStore;
import dev.loopline.api.security.Role;
import dev.loopline.client.Ack;
import dev.loopline.runtime.domain.InstanceIds;
import dev.loopline.systemtests.support.Examples;
import dev.loopline.systemtests.support.GatewayClient;
import dev.loopline.systemtests.support.RunningLoop;
import dev.loopline.testsupport.infra.Infrastructure;
import dev.loopline.testsupport.junit.LooplineInfrastructureExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * An approval on a real broker and registry ({@code examples/purchase-approval.json}): two approvers
 * under the "all" policy, one of whom delegates. The work items are listed per assignee from the
 * query side and answered through the gateway; the order is released only when both have approved.
 */
@ExtendWith(LooplineInfrastructureExtension.class)
class ApprovalIT {

    @Test
    void shouldReleaseTheOrderWhenBothApproversApprovedOneThroughADelegate(Infrastructure infra) throws Exception {
        // given: an application's key besides the suite's (every role)
        String appKey = ApiKeyStore.newKey();
        Path keys = Files.createTempFile("loopline-approval-it-", ".json");
        keys.toFile().deleteOnExit();
        Files.writeString(
                keys,
                "["
                        + String.join(
                                ",",
                                ApiKeyStore.entry(
                                        GatewayClient.SUITE_KEY,
                                        GatewayClient.SUITE_PRINCIPAL,
                                        EnumSet.allOf(Role.class)),
                                ApiKeyStore.entry(appKey, "purchasing-app", Set.of(Role.APPLICATION)))
                        + "]");
        try (RunningLoop loop = RunningLoop.start(
                infra, "approval", message -> Ack.succeeded(), Map.of("LOOPLINE_API_KEYS_FILE", keys.toString()))) {
            loop.activate(Examples.read("purchase-approval.json"));
            GatewayClient app = new GatewayClient(loop.gatewayPort(), appKey);

            // when: an order is submitted by someone whose manager is maria
            assertThat(loop.gateway.post("/v1/events", """
                            {"eventId":"po-1-submitted","source":"erp","entityType":"purchase_order","entityId":"po-1",
                             "messageName":"Submitted","attributes":{"manager":"maria"}}""").status()).isEqualTo(202);
            String instance = InstanceIds.instanceId("po-1-submitted", "purchase-approval");

            // then: maria and the finance lead each have a work item, created as a platform task
            JsonNode marias = awaitItem(loop.gateway, "maria");
            JsonNode leads = awaitItem(loop.gateway, "finance-lead");
            assertThat(marias.get("instanceId").asText()).isEqualTo(instance);
            assertThat(marias.get("subject").asText()).isEqualTo("Purchase order po-1");
            assertThat(loop.received).anySatisfy(message -> {
                assertThat(message.getMessageName()).isEqualTo("TaskCreated");
                assertThat(message.getPayload())
                        .containsEntry("taskId", marias.get("id").asText());
            });

            // and the application answers for an assignee only, with a valid outcome
            String maria = "/v1/work-items/" + marias.get("id").asText() + "/complete";
            assertThat(app.post(maria, "{\"outcome\":\"Approve\",\"by\":\"mallory\"}")
                            .status())
                    .isEqualTo(403);
            GatewayClient.Response wrong = app.post(maria, "{\"outcome\":\"Maybe\",\"by\":\"maria\"}");
            assertThat(wrong.status()).isEqualTo(400);
            assertThat(wrong.json().get("errors").get(0).get("field").asText()).isEqualTo("outcome");
            assertThat(app.post("/v1/work-items/nothing-task-2/complete", "{\"outcome\":\"Approve\"}")
                            .status())
                    .isEqualTo(404);

            // when: maria delegates to dan, and the finance lead approves
            assertThat(app.post(maria, "{\"outcome\":\"Delegate\",\"delegateTo\":\"dan\",\"by\":\"maria\"}")
                            .status())
                    .isEqualTo(202);
            JsonNode dans = awaitItem(loop.gateway, "dan");
            assertThat(dans.get("id").asText()).isEqualTo(marias.get("id").asText());
            assertThat(dans.get("delegatedFrom").asText()).isEqualTo("maria");
            assertThat(loop.gateway.listed("/v1/work-items?assignee=maria")).isZero();
            assertThat(app.post(
                                    "/v1/work-items/" + leads.get("id").asText() + "/complete",
                                    "{\"outcome\":\"Approve\",\"by\":\"finance-lead\",\"requestId\":\"r-1\"}")
                            .status())
                    .isEqualTo(202);

            // then: the order waits for dan alone, and is released when he approves
            await().atMost(Duration.ofSeconds(60))
                    .untilAsserted(() -> assertThat(loop.gateway.listed("/v1/work-items?assignee=finance-lead"))
                            .isZero());
            assertThat(loop.status(instance)).isEqualTo(10);
            assertThat(loop.first("ReleaseOrder")).isNull();
            assertThat(app.post(
                                    "/v1/work-items/" + dans.get("id").asText() + "/complete",
                                    "{\"outcome\":\"Approve\",\"by\":\"dan\",\"comment\":\"fine\"}")
                            .status())
                    .isEqualTo(202);
            await().atMost(Duration.ofSeconds(60))
                    .untilAsserted(() -> assertThat(loop.status(instance)).isEqualTo(30));
            assertThat(loop.first("ReleaseOrder")).isNotNull();
            assertThat(loop.first("ReturnOrder")).isNull();
            assertThat(loop.gateway
                            .get("/v1/instances/" + instance)
                            .json()
                            .get("transitions")
                            .findValuesAsText("reason"))
                    .anySatisfy(reason -> assertThat(reason).contains("delegated by maria to dan"))
                    .anySatisfy(reason -> assertThat(reason).contains("answered Approve by dan"));
        }
    }

    /** The one open work item of an assignee, once the query side lists it. */
    private static JsonNode awaitItem(GatewayClient gateway, String assignee) {
        String query = "/v1/work-items?assignee=" + assignee;
        await().atMost(Duration.ofSeconds(60)).until(() -> gateway.listed(query) == 1);
        return gateway.get(query).json().get("items").get(0);
    }
}
