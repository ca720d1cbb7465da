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
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * An expense approval on a real broker and registry ({@code examples/expense-two-approvers.json}): two approvers
 * under the "all" policy, one of whom delegates. The work items are listed per assignee from the
 * query side and answered through the gateway; the expense is paid only when both have approved.
 */
@ExtendWith(LooplineInfrastructureExtension.class)
class ApprovalIT {

    @Test
    void shouldPayTheExpenseWhenBothApproversApprovedOneThroughADelegate(Infrastructure infra) throws Exception {
        // given: keys for the approvers, each answering as themselves, besides the suite's (every role)
        Map<String, String> people = Map.of(
                "maria", ApiKeyStore.newKey(),
                "finance-lead", ApiKeyStore.newKey(),
                "dan", ApiKeyStore.newKey(),
                "mallory", ApiKeyStore.newKey());
        Map<String, String> settings = GatewayClient.authSettings(people.entrySet().stream()
                .map(person ->
                        ApiKeyStore.entry(person.getValue(), person.getKey(), Set.of(Role.APPLICATION, Role.READER)))
                .toArray(String[]::new));
        try (RunningLoop loop = RunningLoop.start(infra, "approval", message -> Ack.succeeded(), settings)) {
            loop.activate(Examples.read("expense-two-approvers.json"));
            java.util.function.Function<String, GatewayClient> as =
                    name -> new GatewayClient(loop.gatewayPort(), people.get(name));

            // when: an expense report is submitted by someone whose manager is maria
            assertThat(loop.gateway.post("/v1/events", """
                            {"eventId":"er-1-submitted","source":"erp","entityType":"expense_report","entityId":"ER-1",
                             "messageName":"Submitted","attributes":{"manager":"maria"}}""").status()).isEqualTo(202);
            String instance = InstanceIds.instanceId("er-1-submitted", "expense-two-approvers");

            // then: maria and the finance lead each have a work item, created as a platform task
            JsonNode marias = awaitItem(loop.gateway, "maria");
            JsonNode leads = awaitItem(loop.gateway, "finance-lead");
            assertThat(marias.get("instanceId").asText()).isEqualTo(instance);
            assertThat(marias.get("subject").asText()).isEqualTo("Expense report ER-1");
            assertThat(loop.received).anySatisfy(message -> {
                assertThat(message.getMessageName()).isEqualTo("TaskCreated");
                assertThat(message.getPayload())
                        .containsEntry("taskId", marias.get("id").asText());
            });

            // and only the assignee answers it, as itself, with a valid outcome
            String maria = "/v1/work-items/" + marias.get("id").asText() + "/complete";
            assertThat(as.apply("mallory")
                            .post(maria, "{\"outcome\":\"Approve\"}")
                            .status())
                    .isEqualTo(403);
            assertThat(as.apply("mallory")
                            .post(maria, "{\"outcome\":\"Approve\",\"by\":\"maria\"}")
                            .status())
                    .isEqualTo(403);
            GatewayClient.Response wrong = as.apply("maria").post(maria, "{\"outcome\":\"Maybe\"}");
            assertThat(wrong.status()).isEqualTo(400);
            assertThat(wrong.json().get("errors").get(0).get("field").asText()).isEqualTo("outcome");
            assertThat(as.apply("maria")
                            .post("/v1/work-items/nothing-task-2/complete", "{\"outcome\":\"Approve\"}")
                            .status())
                    .isEqualTo(404);

            // when: maria delegates to dan, and the finance lead approves
            assertThat(as.apply("maria")
                            .post(maria, "{\"outcome\":\"Delegate\",\"delegateTo\":\"dan\"}")
                            .status())
                    .isEqualTo(202);
            JsonNode dans = awaitItem(loop.gateway, "dan");
            assertThat(dans.get("id").asText()).isEqualTo(marias.get("id").asText());
            assertThat(dans.get("delegatedFrom").asText()).isEqualTo("maria");
            assertThat(loop.gateway.listed("/v1/work-items?assignee=maria")).isZero();
            assertThat(as.apply("finance-lead")
                            .post(
                                    "/v1/work-items/" + leads.get("id").asText() + "/complete",
                                    "{\"outcome\":\"Approve\",\"requestId\":\"r-1\"}")
                            .status())
                    .isEqualTo(202);

            // then: the report waits for dan alone, and is paid when he approves
            await().atMost(Duration.ofSeconds(60))
                    .untilAsserted(() -> assertThat(loop.gateway.listed("/v1/work-items?assignee=finance-lead"))
                            .isZero());
            assertThat(loop.status(instance)).isEqualTo(10);
            assertThat(loop.first("PayExpense")).isNull();
            // (dan uses the command line)
            String[] connection = {"--gateway", "http://127.0.0.1:" + loop.gatewayPort(), "--key", people.get("dan")};
            assertThat(cli(connection, "work-items", "list", "--assignee", "dan"))
                    .contains(dans.get("id").asText());
            assertThat(cli(
                            connection,
                            "work-items",
                            "complete",
                            dans.get("id").asText(),
                            "--outcome",
                            "Approve",
                            "--comment",
                            "fine"))
                    .contains(dans.get("id").asText());
            await().atMost(Duration.ofSeconds(60))
                    .untilAsserted(() -> assertThat(loop.status(instance)).isEqualTo(30));
            assertThat(loop.first("PayExpense")).isNotNull();
            assertThat(loop.first("ReturnExpense")).isNull();
            assertThat(loop.gateway
                            .get("/v1/instances/" + instance)
                            .json()
                            .get("transitions")
                            .findValuesAsText("reason"))
                    .anySatisfy(reason -> assertThat(reason).contains("delegated by maria to dan"))
                    .anySatisfy(reason -> assertThat(reason).contains("answered Approve by dan"));
        }
    }

    /** Runs the command line; its output, once it exited 0. */
    private static String cli(String[] connection, String... args) {
        java.io.StringWriter out = new java.io.StringWriter();
        java.io.StringWriter err = new java.io.StringWriter();
        String[] line = java.util.stream.Stream.concat(
                        java.util.Arrays.stream(connection), java.util.Arrays.stream(args))
                .toArray(String[]::new);
        int exit = dev.loopline.cli.LooplineCli.run(
                line,
                Map.of(),
                new java.io.ByteArrayInputStream(new byte[0]),
                new java.io.PrintWriter(out, true),
                new java.io.PrintWriter(err, true));
        assertThat(exit).as(String.join(" ", args) + ": " + err).isZero();
        return out.toString();
    }

    /** The one open work item of an assignee, once the query side lists it. */
    private static JsonNode awaitItem(GatewayClient gateway, String assignee) {
        String query = "/v1/work-items?assignee=" + assignee;
        await().atMost(Duration.ofSeconds(60)).until(() -> gateway.listed(query) == 1);
        return gateway.get(query).json().get("items").get(0);
    }
}
