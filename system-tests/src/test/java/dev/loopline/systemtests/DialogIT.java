package dev.loopline.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loopline.api.security.ApiKeyStore;
import dev.loopline.api.security.Role;
import dev.loopline.api.v1.WorkflowMessage;
import dev.loopline.client.Ack;
import dev.loopline.systemtests.support.Examples;
import dev.loopline.systemtests.support.GatewayClient;
import dev.loopline.systemtests.support.RunningLoop;
import dev.loopline.testsupport.infra.Infrastructure;
import dev.loopline.testsupport.junit.LooplineInfrastructureExtension;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Dynamics' dialogs on a real broker and registry ({@code examples/expense-dialog.json}): a session
 * is answered page by page, branches on an answer, completes, and starts the expense-filing workflow
 * with its answers; another session is abandoned past its page's timeout and ends Incomplete.
 */
@ExtendWith(LooplineInfrastructureExtension.class)
class DialogIT {

    private static final String QUICK = """
            {"id":"quick-dialog","name":"Quick","trigger":{"entityType":"dialog-session"},"onDemand":{},
             "steps":[{"name":"hurry","kind":"prompt","text":"Answer within a second","timeout":"PT1S"}]}""";

    @Test
    void shouldCompleteOneSessionPageByPageAndLeaveAnAbandonedOneIncomplete(Infrastructure infra) throws Exception {
        // given: two publishers besides the suite's key (every role, an operator too)
        String patKey = ApiKeyStore.newKey();
        String quinnKey = ApiKeyStore.newKey();
        Map<String, String> settings = GatewayClient.authSettings(
                ApiKeyStore.entry(patKey, "pat", Set.of(Role.PUBLISHER)),
                ApiKeyStore.entry(quinnKey, "quinn", Set.of(Role.PUBLISHER)));
        try (RunningLoop loop = RunningLoop.start(infra, "dialog", message -> Ack.succeeded(), settings)) {
            loop.activate(Examples.read("expense-filing.json"), Examples.read("expense-dialog.json"), QUICK);
            GatewayClient gateway = new GatewayClient(loop.gatewayPort(), patKey);
            GatewayClient quinn = new GatewayClient(loop.gatewayPort(), quinnKey);
            List<WorkflowMessage> received = loop.received;

            // when: a session starts
            GatewayClient.Response started =
                    gateway.post("/v1/dialogs/expense-dialog/sessions", "{\"requestId\":\"s-1\"}");
            assertThat(started.status()).isEqualTo(202);
            String session = started.json().get("sessionId").asText();

            // then: it shows its first page, to its starter and to an operator, and to no other publisher
            JsonNode first = awaitPage(gateway, session, "amount");
            assertThat(loop.gateway.get("/v1/dialogs/sessions/" + session).status())
                    .isEqualTo(200);
            assertThat(quinn.get("/v1/dialogs/sessions/" + session).status()).isEqualTo(404);
            assertThat(answer(quinn, session, "amount", "{\"amount\":1}").status())
                    .isEqualTo(404);
            assertThat(first.get("state").asText()).isEqualTo("Active");
            assertThat(first.get("page").get("text").asText()).isEqualTo("How much did you spend?");

            // when: a wrong answer, then the right one
            GatewayClient.Response wrong = answer(gateway, session, "amount", "{\"amount\":\"lots\"}");
            assertThat(wrong.status()).isEqualTo(400);
            assertThat(wrong.json().get("errors").findValuesAsText("field")).containsExactly("answers.amount");
            assertThat(answer(gateway, session, "amount", "{\"amount\":250}").status())
                    .isEqualTo(202);

            // then: a large amount leads to the second page, and the first is answered already
            awaitPage(gateway, session, "why");
            assertThat(answer(gateway, session, "amount", "{\"amount\":5}").status())
                    .isEqualTo(409);
            assertThat(answer(gateway, session, "why", "{\"reason\":\"team dinner\"}")
                            .status())
                    .isEqualTo(202);

            // then: the session completes with its answers, and the workflow it started files them
            await().atMost(Duration.ofSeconds(60))
                    .untilAsserted(() -> assertThat(gateway.get("/v1/dialogs/sessions/" + session)
                                    .json()
                                    .get("state")
                                    .asText())
                            .isEqualTo("Complete"));
            JsonNode completed = gateway.get("/v1/dialogs/sessions/" + session).json();
            assertThat(completed.get("answers").get("amount.amount").asLong()).isEqualTo(250);
            assertThat(completed.get("answers").get("why.reason").asText()).isEqualTo("team dinner");
            WorkflowMessage filed = await().atMost(Duration.ofSeconds(60))
                    .until(
                            () -> received.stream()
                                    .filter(message -> message.getMessageName().equals("FileExpense"))
                                    .findFirst()
                                    .orElse(null),
                            message -> message != null);
            assertThat(filed.getDefinitionId()).isEqualTo("expense-filing");
            assertThat(filed.getPayload()).containsEntry("amount", 250L).containsEntry("reason", "team dinner");

            // when: another session is left unanswered past its page's timeout
            String abandoned = gateway.post("/v1/dialogs/quick-dialog/sessions", "{}")
                    .json()
                    .get("sessionId")
                    .asText();

            // then: it ends Incomplete, and says why
            await().atMost(Duration.ofSeconds(60))
                    .untilAsserted(() -> assertThat(gateway.get("/v1/dialogs/sessions/" + abandoned)
                                    .json()
                                    .path("state")
                                    .asText())
                            .isEqualTo("Incomplete"));
            assertThat(gateway.get("/v1/dialogs/sessions/" + abandoned)
                            .json()
                            .get("reason")
                            .asText())
                    .isEqualTo("abandoned: page hurry was not answered in time");
            assertThat(loop.handler.handled()).isGreaterThanOrEqualTo(4);
        }
    }

    private static JsonNode awaitPage(GatewayClient gateway, String session, String page) {
        return await().atMost(Duration.ofSeconds(60))
                .until(
                        () -> {
                            GatewayClient.Response response = gateway.get("/v1/dialogs/sessions/" + session);
                            return response.status() == 200 ? response.json() : null;
                        },
                        view -> view != null
                                && page.equals(view.path("page").path("name").asText()));
    }

    private static GatewayClient.Response answer(GatewayClient gateway, String session, String page, String answers) {
        return gateway.post(
                "/v1/dialogs/sessions/" + session + "/responses",
                "{\"page\":\"" + page + "\",\"answers\":" + answers + "}");
    }
}
