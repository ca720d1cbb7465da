package dev.loopline.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loopline.api.TopicProvisioner;
import dev.loopline.api.Topics;
import dev.loopline.gateway.EventGateway;
import dev.loopline.gateway.GatewayConfig;
import dev.loopline.runtime.config.RuntimeConfig;
import dev.loopline.systemtests.support.GatewayClient;
import dev.loopline.systemtests.support.GatewayProcess;
import dev.loopline.systemtests.support.RuntimeProcess;
import dev.loopline.systemtests.support.TestRuntime;
import dev.loopline.systemtests.support.TestTopics;
import dev.loopline.testsupport.infra.Directories;
import dev.loopline.testsupport.infra.FreePorts;
import dev.loopline.testsupport.infra.Infrastructure;
import dev.loopline.testsupport.junit.LooplineInfrastructureExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A gateway process killed with kill -9 while it serves half of the query side: the other gateway
 * takes its partitions over, instances go on changing, and the killed process, started again on
 * its state directory, serves the same answers as the other, with every instance counted once.
 * Prints how long the restarted process took to serve correct counts.
 */
@ExtendWith(LooplineInfrastructureExtension.class)
class QueryRestartIT {

    private static final int PARTITIONS = 4;
    private static final int BATCH = 40;

    @Test
    void shouldComeBackAfterKill9WithTheSameAnswersAndNoDoubleCounts(Infrastructure infra) throws Exception {
        // given: a runtime, gateway A in this JVM, gateway B in its own with a kept state directory
        Topics topics = TestTopics.unique("query-restart");
        try (Admin admin = infra.admin()) {
            TopicProvisioner.ensureTopics(admin, topics, PARTITIONS, (short) 1);
        }
        Map<String, String> settings = TestRuntime.settings(infra, topics);
        Path logs = Files.createDirectories(Path.of("target", "gateway-processes"));
        Map<String, String> settingsA = new HashMap<>(settings);
        settingsA.put("LOOPLINE_HTTP_HOST", "127.0.0.1");
        settingsA.put("LOOPLINE_HTTP_PORT", "0");
        Map<String, String> settingsB = new HashMap<>(settings);
        settingsB.put(
                "LOOPLINE_QUERY_STATE_DIR",
                Directories.temporary("query-restart-").toString());
        int portB = FreePorts.next();

        try (RuntimeProcess runtime =
                        RuntimeProcess.start(RuntimeConfig.from(settings), logs.resolve("query-restart-runtime.log"));
                EventGateway gatewayA = EventGateway.start(GatewayConfig.from(settingsA))) {
            GatewayClient a = new GatewayClient(gatewayA.port());
            GatewayClient b = new GatewayClient(portB);
            assertThat(a.post("/v1/definitions", """
                            {"id":"orders","name":"orders","trigger":{"entityType":"order","messageName":"Create"},
                             "steps":[{"name":"approval","kind":"wait-for-event",
                                       "event":{"entityType":"order","messageName":"Approved","key":"trigger.entityId"}}]}""").status()).isEqualTo(201);
            assertThat(a.post("/v1/definitions/orders/activate", "").status()).isEqualTo(200);

            GatewayProcess first = GatewayProcess.start(settingsB, portB, logs.resolve("query-restart-b1.log"));
            try {
                publish(a, 0, BATCH);
                awaitSpreadAndWaiting(a, b, BATCH);
                assertThat(answers(b)).isEqualTo(answers(a));
            } finally {
                // when: B is killed, and instances go on starting while it is down
                first.kill();
            }
            publish(a, BATCH, 2 * BATCH);
            await().atMost(Duration.ofMinutes(2))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> waiting(a) == 2 * BATCH);

            // then: B, started again on its state, serves correct counts, and the same answers as A
            long restart = System.nanoTime();
            try (GatewayProcess again = GatewayProcess.start(settingsB, portB, logs.resolve("query-restart-b2.log"))) {
                await().atMost(Duration.ofMinutes(2))
                        .pollInterval(Duration.ofMillis(100))
                        .ignoreExceptions()
                        .until(() -> waiting(b) == 2 * BATCH);
                long servedMs = (System.nanoTime() - restart) / 1_000_000;
                System.out.printf(
                        "query restart: the killed gateway served correct counts %,d ms after its start%n", servedMs);
                awaitSpreadAndWaiting(a, b, 2 * BATCH);
                Answers fromA = answers(a);
                assertThat(answers(b)).isEqualTo(fromA);
                assertThat(fromA.ids()).hasSize(2 * BATCH).doesNotHaveDuplicates();
                assertThat(fromA.counts().path("SUSPENDED").path("10").asInt()).isEqualTo(2 * BATCH);
                assertThat(runtime.isAlive() && again.isAlive()).isTrue();
            }
        }
    }

    private static void publish(GatewayClient gateway, int from, int to) {
        for (int i = from; i < to; i++) {
            assertThat(gateway.post("/v1/events", """
                            {"eventId":"order-%d","source":"erp","entityType":"order","entityId":"o-%d","messageName":"Create"}""".formatted(i, i)).status()).isEqualTo(202);
        }
    }

    /** Both gateways serve some of the partitions, together all, and count {@code expected} waiting instances. */
    private static void awaitSpreadAndWaiting(GatewayClient a, GatewayClient b, int expected) {
        await().atMost(Duration.ofMinutes(2))
                .pollInterval(Duration.ofMillis(200))
                .ignoreExceptions()
                .untilAsserted(() -> {
                    List<Integer> onA = a.localPartitions();
                    List<Integer> onB = b.localPartitions();
                    assertThat(onA).isNotEmpty();
                    assertThat(onB).isNotEmpty();
                    List<Integer> both = new ArrayList<>(onA);
                    both.addAll(onB);
                    assertThat(both).containsExactlyInAnyOrder(0, 1, 2, 3);
                    assertThat(waiting(a)).isEqualTo(expected);
                    assertThat(waiting(b)).isEqualTo(expected);
                });
    }

    private static int waiting(GatewayClient gateway) {
        GatewayClient.Response counts = gateway.get("/v1/instances/counts");
        return counts.status() == 200
                ? counts.json().path("SUSPENDED").path("10").asInt()
                : -1;
    }

    /** What a gateway answers: the counts, every instance id in list order, and each instance. */
    record Answers(JsonNode counts, List<String> ids, List<JsonNode> instances) {}

    private static Answers answers(GatewayClient gateway) {
        List<String> ids = gateway.pageThrough("/v1/instances?definitionId=orders&limit=7").stream()
                .map(item -> item.get("instanceId").asText())
                .toList();
        List<JsonNode> instances = new ArrayList<>();
        for (String id : ids) {
            instances.add(gateway.get("/v1/instances/" + id).json());
        }
        return new Answers(gateway.get("/v1/instances/counts").json(), ids, instances);
    }
}
