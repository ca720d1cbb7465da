package dev.loopline.systemtests.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loopline.api.Topics;
import dev.loopline.gateway.EventGateway;
import dev.loopline.gateway.GatewayConfig;
import dev.loopline.runtime.domain.InstanceIds;
import dev.loopline.systemtests.support.GatewayClient;
import dev.loopline.testsupport.handler.AcknowledgingHandler;
import dev.loopline.testsupport.infra.Infrastructure;
import dev.loopline.testsupport.junit.LooplineInfrastructureExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A migration under kill -9, on real processes: two runtime processes as child JVMs, the gateway,
 * an acknowledging handler and an auditor reading {@code read_committed}. Instances wait in version
 * 1; a migration to version 2 starts, and one runtime process is killed at once and started again
 * on its state, so that commands land on partitions that are moving. The migration is then run a
 * second time, as an operator would after an operation with unanswered commands. Every instance
 * must be migrated exactly once (one migration transition each), and then continue on version 2's
 * steps to completion: 0 lost, 0 duplicated. Figures are printed, not asserted.
 */
@ExtendWith(LooplineInfrastructureExtension.class)
class MigrationChaosIT {

    private final int instances = Integer.getInteger("loopline.chaos.migrated", 300);

    private static final String V1 = """
            {"id":"chaos-invoices","name":"Invoices","trigger":{"entityType":"chaos-invoice","messageName":"Created"},
             "steps":[{"name":"paid","kind":"wait-for-event",
                       "event":{"entityType":"chaos-invoice","messageName":"Paid","key":"trigger.entityId"}},
                      {"name":"thank","kind":"send-message","messageName":"Thank"}]}""";

    private static final String V2 = """
            {"id":"chaos-invoices","name":"Invoices","trigger":{"entityType":"chaos-invoice","messageName":"Created"},
             "steps":[{"name":"payment","kind":"wait-for-event",
                       "event":{"entityType":"chaos-invoice","messageName":"Paid","key":"trigger.entityId"}},
                      {"name":"check","kind":"send-message","messageName":"CheckPayment"},
                      {"name":"thank","kind":"send-message","messageName":"Thank"}]}""";

    private static final String PLAN = """
            {"definitionId":"chaos-invoices","sourceVersion":1,"targetVersion":2,"steps":{"paid":"payment"}}""";

    @Test
    @Timeout(value = 15, unit = TimeUnit.MINUTES)
    void shouldMigrateEveryInstanceExactlyOnceThroughAKill(Infrastructure infra) throws Exception {
        ChaosStage stage = ChaosStage.prepare(infra, "migrate", (short) 1);
        Topics topics = stage.topics();
        Map<String, String> gatewaySettings = new HashMap<>(stage.settings());
        gatewaySettings.put("LOOPLINE_HTTP_HOST", "127.0.0.1");
        gatewaySettings.put("LOOPLINE_HTTP_PORT", "0");
        try (EventGateway gateway = EventGateway.start(GatewayConfig.from(gatewaySettings));
                var handler = AcknowledgingHandler.start(infra.clientConfig(), topics, topics.prefix() + "handler");
                ChaosAuditor auditor = ChaosAuditor.start(infra, topics);
                Runtimes runtimes = new Runtimes(stage.runtimeSettings(), stage.dir())) {
            runtimes.start("runtime-a");
            runtimes.start("runtime-b");
            GatewayClient client = new GatewayClient(gateway.port());

            // given: instances of version 1 wait for Paid
            assertThat(client.post("/v1/definitions", V1).status()).isEqualTo(201);
            assertThat(client.post("/v1/definitions/chaos-invoices/activate", "")
                            .status())
                    .isEqualTo(200);
            String first = InstanceIds.instanceId("inv-0-created", "chaos-invoices");
            await().atMost(Duration.ofMinutes(2))
                    .pollInterval(Duration.ofSeconds(1))
                    .until(() -> {
                        client.post("/v1/events", event("inv-0-created", "inv-0", "Created")); // again: starts one
                        return client.get("/v1/instances/" + first).status() == 200;
                    });
            publish(client, "Created");
            await().atMost(Duration.ofMinutes(3))
                    .pollInterval(Duration.ofSeconds(1))
                    .until(() -> waiting(client, 1) == instances);
            assertThat(client.post("/v1/definitions/chaos-invoices/deactivate", "")
                            .status())
                    .isEqualTo(200);
            assertThat(client.post("/v1/definitions", V2).status()).isEqualTo(201);
            assertThat(client.post("/v1/definitions/chaos-invoices/activate", "")
                            .status())
                    .isEqualTo(200);

            // when: the migration runs, and a runtime process is killed as it starts
            long started = System.currentTimeMillis();
            JsonNode firstRun = client.post("/v1/migrations", PLAN).json();
            runtimes.kill("runtime-a");
            runtimes.start("runtime-a");
            JsonNode firstDone =
                    awaitOperation(client, firstRun.get("operationId").asText());
            // and again, for what the first left unanswered or refused while partitions moved
            JsonNode secondDone = awaitOperation(
                    client,
                    client.post("/v1/migrations", PLAN)
                            .json()
                            .get("operationId")
                            .asText());
            await().atMost(Duration.ofMinutes(2))
                    .pollInterval(Duration.ofSeconds(1))
                    .until(() -> auditor.migrations().size() == instances);
            long migratedIn = System.currentTimeMillis() - started;

            // then: each instance was migrated once
            Map<String, Integer> migrations = auditor.migrations();
            assertThat(migrations).hasSize(instances);
            assertThat(migrations.values()).containsOnly(1);

            // and the events continue every one on version 2's steps, to the end
            publish(client, "Paid");
            await().atMost(Duration.ofMinutes(3))
                    .pollInterval(Duration.ofSeconds(1))
                    .until(() -> auditor.completedCount() >= instances);
            assertThat(auditor.instances())
                    .allSatisfy(id -> assertThat(auditor.finalStatus(id)).isEqualTo(30));
            assertThat(auditor.duplicateTransitions()).isZero();
            assertThat(auditor.duplicateMessages()).isZero();
            assertThat(auditor.stepsUnderTwoIds()).isZero();
            assertThat(auditor.deadLetters()).isZero();

            System.out.printf(
                    "%nMigration under kill -9 (%d instances, 2 runtime processes, one killed as the run started)%n"
                            + "  first run:  matched %d, accepted %d, refused %d, unanswered %d%n"
                            + "  second run: matched %d, accepted %d, refused %d, unanswered %d%n"
                            + "  migrated exactly once: %d of %d, all within %.1f s; completed on version 2: %d; "
                            + "duplicate transitions %d, messages %d; handled %d%n",
                    instances,
                    firstDone.get("matched").asLong(),
                    firstDone.get("accepted").asLong(),
                    firstDone.get("refused").asLong(),
                    firstDone.get("unanswered").asLong(),
                    secondDone.get("matched").asLong(),
                    secondDone.get("accepted").asLong(),
                    secondDone.get("refused").asLong(),
                    secondDone.get("unanswered").asLong(),
                    migrations.values().stream().filter(count -> count == 1).count(),
                    instances,
                    migratedIn / 1000.0,
                    auditor.completedCount(),
                    auditor.duplicateTransitions(),
                    auditor.duplicateMessages(),
                    handler.handled());
        }
    }

    private static JsonNode awaitOperation(GatewayClient client, String operation) {
        return await().atMost(Duration.ofMinutes(3))
                .pollInterval(Duration.ofSeconds(1))
                .until(
                        () -> client.get("/v1/operations/" + operation).json(),
                        view -> view.has("state") && !view.get("state").asText().matches("QUEUED|RUNNING"));
    }

    /** Instances of the version that are Suspended, as the query side lists them; -1 while it cannot. */
    private long waiting(GatewayClient client, int version) {
        String query = "/v1/instances?definitionId=chaos-invoices&definitionVersion=" + version + "&statusCode=10";
        if (client.get(query + "&limit=1").status() != 200) {
            return -1;
        }
        return client.pageThrough(query + "&limit=500").size();
    }

    /** An event of this name for every invoice, 32 in flight. */
    private void publish(GatewayClient client, String name) {
        Semaphore inFlight = new Semaphore(32);
        List<CompletableFuture<GatewayClient.Response>> responses = new ArrayList<>();
        for (int i = 0; i < instances; i++) {
            inFlight.acquireUninterruptibly();
            responses.add(client.postAsync("/v1/events", event("inv-" + i + "-" + name.toLowerCase(), "inv-" + i, name))
                    .whenComplete((r, e) -> inFlight.release()));
        }
        assertThat(responses.stream().map(CompletableFuture::join).map(GatewayClient.Response::status))
                .containsOnly(202);
    }

    private static String event(String eventId, String invoice, String name) {
        return """
                {"eventId":"%s","source":"erp","entityType":"chaos-invoice","entityId":"%s","messageName":"%s"}""".formatted(eventId, invoice, name);
    }
}
