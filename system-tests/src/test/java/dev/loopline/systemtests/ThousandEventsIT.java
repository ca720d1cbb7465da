package dev.loopline.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.loopline.api.TopicProvisioner;
import dev.loopline.api.Topics;
import dev.loopline.api.serde.AvroSerdes;
import dev.loopline.api.v1.DefinitionStatus;
import dev.loopline.api.v1.InstanceTransition;
import dev.loopline.api.v1.WorkflowDefinition;
import dev.loopline.gateway.EventGateway;
import dev.loopline.gateway.GatewayConfig;
import dev.loopline.runtime.LooplineRuntime;
import dev.loopline.runtime.config.RuntimeConfig;
import dev.loopline.systemtests.support.Definitions;
import dev.loopline.systemtests.support.GatewayClient;
import dev.loopline.systemtests.support.TestRuntime;
import dev.loopline.systemtests.support.TestTopics;
import dev.loopline.systemtests.support.TopicReader;
import dev.loopline.testsupport.handler.AcknowledgingHandler;
import dev.loopline.testsupport.infra.Infrastructure;
import dev.loopline.testsupport.junit.LooplineInfrastructureExtension;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * 1,000 events through the HTTP gateway for an active definition, with a handler acknowledging
 * every message: each instance completes exactly once, and definitions that are not active (never
 * activated, or deactivated) start nothing although their triggers match the same events.
 */
@ExtendWith(LooplineInfrastructureExtension.class)
class ThousandEventsIT {

    private static final int EVENTS = 1_000;
    private static final List<Integer> LIFE = List.of(0, 20, 10, 20, 10, 20, 30);

    private static final Topics topics = TestTopics.unique("thousand");
    private static final List<AutoCloseable> parts = new ArrayList<>();
    private static Infrastructure infra;
    private static LooplineRuntime runtime;
    private static GatewayClient gateway;
    private static AvroSerdes serdes;

    @BeforeAll
    static void start(Infrastructure infrastructure) throws Exception {
        infra = infrastructure;
        serdes = new AvroSerdes(infra.clientConfig());
        try (Admin admin = infra.admin()) {
            TopicProvisioner.ensureTopics(admin, topics, 4, (short) 1);
        }
        Map<String, String> settings = TestRuntime.settings(infra, topics);
        runtime = LooplineRuntime.start(RuntimeConfig.from(settings));
        parts.add(runtime);
        settings.put("LOOPLINE_HTTP_HOST", "127.0.0.1");
        settings.put("LOOPLINE_HTTP_PORT", "0");
        EventGateway eventGateway = EventGateway.start(GatewayConfig.from(settings));
        parts.add(eventGateway);
        gateway = new GatewayClient(eventGateway.port());
        parts.add(AcknowledgingHandler.start(infra.clientConfig(), topics, topics.prefix() + "handler"));
        assertThat(runtime.awaitRunning(Duration.ofSeconds(60))).isTrue();
    }

    @AfterAll
    static void stop() throws Exception {
        java.util.Collections.reverse(parts);
        for (AutoCloseable part : parts) {
            part.close();
        }
    }

    @Test
    void shouldCompleteEveryInstanceExactlyOnceAndStartNothingForInactiveDefinitions() throws Exception {
        // given: one active definition and two that are not active, all triggered by the same events
        deploy(Definitions.oneStep("expenses", "expense_report", "Submitted"));
        deploy(Definitions.oneStep("never-activated", "expense_report", "Submitted"));
        deploy(Definitions.oneStep("deactivated", "expense_report", "Submitted"));
        assertThat(gateway.post("/v1/definitions/expenses/activate", "").status())
                .isEqualTo(200);
        assertThat(gateway.post("/v1/definitions/deactivated/activate", "").status())
                .isEqualTo(200);
        assertThat(gateway.post("/v1/definitions/deactivated/deactivate", "").status())
                .isEqualTo(200);
        awaitCatalog("expenses", DefinitionStatus.ACTIVE);
        awaitCatalog("deactivated", DefinitionStatus.INACTIVE);

        try (var transitions = TopicReader.transitions(infra, topics);
                var messages = TopicReader.messages(infra, topics)) {
            // when
            long started = System.nanoTime();
            publishEvents();
            await().atMost(Duration.ofMinutes(3))
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> completed(transitions.poll()) >= EVENTS);
            double seconds = (System.nanoTime() - started) / 1e9;
            report(seconds);

            // then
            List<InstanceTransition> all =
                    transitions.readToEnd().stream().map(ConsumerRecord::value).toList();
            Map<String, List<InstanceTransition>> byInstance =
                    all.stream().collect(Collectors.groupingBy(InstanceTransition::getInstanceId));
            assertThat(byInstance).hasSize(EVENTS);
            assertThat(all).allSatisfy(t -> assertThat(t.getDefinitionId()).isEqualTo("expenses"));
            byInstance.forEach((instance, life) -> {
                assertThat(life).extracting(InstanceTransition::getSequence).containsExactly(1, 2, 3, 4, 5, 6, 7);
                assertThat(life).extracting(InstanceTransition::getStatusCode).containsExactlyElementsOf(LIFE);
            });
            List<String> messageIds = messages.readToEnd().stream()
                    .map(r -> r.value().getMessageId())
                    .toList();
            assertThat(messageIds).hasSize(2 * EVENTS).doesNotHaveDuplicates();

            String someInstance = byInstance.keySet().iterator().next();
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                var response = gateway.get("/v1/instances/" + someInstance);
                assertThat(response.status()).isEqualTo(200);
                assertThat(response.json().get("statusCode").asInt()).isEqualTo(30);
                assertThat(response.json().get("transitions")).hasSize(7);
            });
        }
    }

    private void publishEvents() {
        Semaphore inFlight = new Semaphore(32);
        List<CompletableFuture<GatewayClient.Response>> responses = new ArrayList<>();
        for (int i = 0; i < EVENTS; i++) {
            inFlight.acquireUninterruptibly();
            responses.add(gateway.postAsync(
                            "/v1/events", Definitions.event("event-" + i, "expense_report", "report-" + i, "Submitted"))
                    .whenComplete((r, e) -> inFlight.release()));
        }
        assertThat(responses.stream().map(CompletableFuture::join).map(GatewayClient.Response::status))
                .containsOnly(202);
    }

    private static long completed(List<ConsumerRecord<String, InstanceTransition>> records) {
        return records.stream().filter(r -> r.value().getStatusCode() == 30).count();
    }

    private void deploy(String definition) {
        assertThat(gateway.post("/v1/definitions", definition).status()).isEqualTo(201);
    }

    private void awaitCatalog(String id, DefinitionStatus status) {
        await().atMost(Duration.ofSeconds(30))
                .until(
                        () -> runtime.catalogEntry(id).map(WorkflowDefinition::getStatus),
                        s -> s.equals(Optional.of(status)));
    }

    private static void report(double seconds) throws IOException {
        String line = String.format(
                "1000-event IT: %d events via HTTP → %d instances completed in %.2f s = %.0f instances/s (%s)%n",
                EVENTS, EVENTS, seconds, EVENTS / seconds, infra.bootstrapServers());
        System.out.print(line);
        Files.writeString(
                Path.of("target", "it-figures.txt"),
                line,
                java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.APPEND);
    }
}
