package dev.loopline.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loopline.api.v1.WorkflowMessage;
import dev.loopline.client.Ack;
import dev.loopline.runtime.domain.InstanceIds;
import dev.loopline.systemtests.support.GatewayClient;
import dev.loopline.systemtests.support.RunningLoop;
import dev.loopline.testsupport.infra.Infrastructure;
import dev.loopline.testsupport.junit.LooplineInfrastructureExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Migration on a real broker and registry: 1,000 instances wait for their invoice's Paid event in
 * version 1; version 2 renames that step and inserts one after it. A plan that maps the wait to a
 * step of another kind is refused; a dry run counts what the run then does; the run moves every
 * instance waiting there, and leaves the one that waits further on; the Paid events then continue
 * the migrated instances on version 2's steps.
 */
@ExtendWith(LooplineInfrastructureExtension.class)
class MigrationIT {

    private static final int INSTANCES = 1_000;

    private static final String V1 = """
            {"id":"invoices","name":"Invoices","trigger":{"entityType":"invoice","messageName":"Created"},
             "steps":[{"name":"paid","kind":"wait-for-event",
                       "event":{"entityType":"invoice","messageName":"Paid","key":"trigger.entityId"}},
                      {"name":"shipped","kind":"wait-for-event",
                       "event":{"entityType":"invoice","messageName":"Shipped","key":"trigger.entityId"}},
                      {"name":"thank","kind":"send-message","messageName":"Thank"}]}""";

    private static final String V2 = """
            {"id":"invoices","name":"Invoices","trigger":{"entityType":"invoice","messageName":"Created"},
             "steps":[{"name":"payment","kind":"wait-for-event",
                       "event":{"entityType":"invoice","messageName":"Paid","key":"trigger.entityId"}},
                      {"name":"check","kind":"send-message","messageName":"CheckPayment",
                       "payload":{"channel":"=vars.channel"}},
                      {"name":"shipped","kind":"wait-for-event",
                       "event":{"entityType":"invoice","messageName":"Shipped","key":"trigger.entityId"}},
                      {"name":"thank","kind":"send-message","messageName":"Thank"}]}""";

    private static final String PLAN = """
            {"definitionId":"invoices","sourceVersion":1,"targetVersion":2,
             "steps":{"paid":"%s"},"variables":{"channel":"'migrated'"}}""";

    @Test
    void shouldMoveEveryInstanceWaitingAtTheMappedStepAndNoOther(Infrastructure infra) throws Exception {
        try (RunningLoop loop = RunningLoop.start(infra, "migration", message -> Ack.succeeded())) {
            GatewayClient gateway = loop.gateway;
            // given: 1,000 instances of version 1 wait for Paid, and the first waits further on, for Shipped
            loop.activate(V1);
            publish(gateway, i -> event("inv-" + i + "-created", "inv-" + i, "Created"));
            await().atMost(Duration.ofSeconds(120)).until(() -> waiting(gateway, 1) == INSTANCES);
            assertThat(gateway.post("/v1/events", event("inv-0-paid", "inv-0", "Paid"))
                            .status())
                    .isEqualTo(202);
            String first = InstanceIds.instanceId("inv-0-created", "invoices");
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> "shipped"
                            .equals(gateway.get("/v1/instances/" + first)
                                    .json()
                                    .path("stepName")
                                    .asText()));
            // and version 2
            assertThat(gateway.post("/v1/definitions/invoices/deactivate", "").status())
                    .isEqualTo(200);
            assertThat(gateway.post("/v1/definitions", V2).status()).isEqualTo(201);
            assertThat(gateway.post("/v1/definitions/invoices/activate", "").status())
                    .isEqualTo(200);

            // when: a plan that maps the wait to a message step
            GatewayClient.Response refused = gateway.post("/v1/migrations", PLAN.formatted("check"));

            // then: it is refused, with the field
            assertThat(refused.status()).isEqualTo(400);
            assertThat(refused.json().get("errors").get(0).get("field").asText())
                    .isEqualTo("steps.paid");
            assertThat(refused.json().get("errors").get(0).get("message").asText())
                    .isEqualTo("a wait-for-event step cannot become a send-message step");

            // when: a dry run of the right plan
            JsonNode dryRun = gateway.post("/v1/migrations?dryRun=true", PLAN.formatted("payment"))
                    .json();

            // then: it would move every instance waiting at paid, and leave the one at shipped
            assertThat(dryRun.get("matched").asLong()).isEqualTo(INSTANCES);
            assertThat(dryRun.get("migrated").asLong()).isEqualTo(INSTANCES - 1);
            assertThat(dryRun.get("rules").get("paid → payment").asLong()).isEqualTo(INSTANCES - 1);
            assertThat(dryRun.get("refusals").get(0).get("instanceId").asText()).isEqualTo(first);

            // when: the run
            GatewayClient.Response started = gateway.post("/v1/migrations", PLAN.formatted("payment"));
            assertThat(started.status()).isEqualTo(202);
            String operation = started.json().get("operationId").asText();
            String migration = started.json().get("migrationId").asText();

            // then: its counts are the dry run's
            JsonNode done = await().atMost(Duration.ofSeconds(120))
                    .until(
                            () -> gateway.get("/v1/operations/" + operation).json(),
                            view -> !view.get("state").asText().matches("QUEUED|RUNNING"));
            assertThat(done.get("state").asText()).isEqualTo("SUCCEEDED");
            assertThat(done.get("accepted").asLong())
                    .isEqualTo(dryRun.get("migrated").asLong());
            assertThat(done.get("refused").asLong())
                    .isEqualTo(dryRun.get("refused").asLong());
            assertThat(done.get("refusals").get(0).get("reason").asText())
                    .contains("it waits at step shipped, which the plan does not map");
            await().atMost(Duration.ofSeconds(60)).until(() -> waiting(gateway, 2) == INSTANCES - 1);
            String second = InstanceIds.instanceId("inv-1-created", "invoices");
            assertThat(gateway.get("/v1/instances/" + second)
                            .json()
                            .get("transitions")
                            .findValuesAsText("reason"))
                    .contains("migrated from version 1 to 2 by migration " + migration + ": step paid → payment");

            // when: the invoices are paid
            publish(gateway, i -> i == 0 ? null : event("inv-" + i + "-paid", "inv-" + i, "Paid"));

            // then: each migrated instance goes on on version 2's steps, with the plan's variable
            await().atMost(Duration.ofSeconds(120))
                    .until(() -> loop.received.stream()
                                    .filter(message -> message.getMessageName().equals("CheckPayment"))
                                    .count()
                            == INSTANCES - 1);
            assertThat(loop.received)
                    .filteredOn(message -> message.getMessageName().equals("CheckPayment"))
                    .allSatisfy(message -> {
                        assertThat(message.getDefinitionVersion()).isEqualTo(2);
                        assertThat(message.getPayload()).containsEntry("channel", "migrated");
                    })
                    .extracting(WorkflowMessage::getInstanceId)
                    .doesNotHaveDuplicates()
                    .doesNotContain(first);
        }
    }

    /** Instances of the version that are Suspended (10), as the query side counts them. */
    private static long waiting(GatewayClient gateway, int version) {
        GatewayClient.Response counts = gateway.get(
                "/v1/instances?definitionId=invoices&definitionVersion=" + version + "&statusCode=10&limit=1");
        if (counts.status() != 200) {
            return -1;
        }
        return gateway.pageThrough(
                        "/v1/instances?definitionId=invoices&definitionVersion=" + version + "&statusCode=10&limit=500")
                .size();
    }

    /** Publishes the events {@code make} gives for 0 … INSTANCES - 1 (null: none), 32 in flight. */
    private static void publish(GatewayClient gateway, IntFunction<String> make) {
        Semaphore inFlight = new Semaphore(32);
        List<CompletableFuture<GatewayClient.Response>> responses = new ArrayList<>();
        for (int i = 0; i < INSTANCES; i++) {
            String event = make.apply(i);
            if (event == null) {
                continue;
            }
            inFlight.acquireUninterruptibly();
            responses.add(gateway.postAsync("/v1/events", event).whenComplete((r, e) -> inFlight.release()));
        }
        assertThat(responses.stream().map(CompletableFuture::join).map(GatewayClient.Response::status))
                .containsOnly(202);
    }

    private static String event(String eventId, String invoice, String name) {
        return """
                {"eventId":"%s","source":"erp","entityType":"invoice","entityId":"%s","messageName":"%s"}""".formatted(eventId, invoice, name);
    }
}
