package dev.loopline.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loopline.api.TopicProvisioner;
import dev.loopline.api.Topics;
import dev.loopline.api.v1.PlatformEvent;
import dev.loopline.runtime.LooplineRuntime;
import dev.loopline.runtime.config.RuntimeConfig;
import dev.loopline.systemtests.support.GatewayClient;
import dev.loopline.systemtests.support.PrometheusText;
import dev.loopline.systemtests.support.Records;
import dev.loopline.systemtests.support.Samples;
import dev.loopline.systemtests.support.TestRuntime;
import dev.loopline.systemtests.support.TestTopics;
import dev.loopline.testsupport.infra.Directories;
import dev.loopline.testsupport.infra.Infrastructure;
import dev.loopline.testsupport.junit.LooplineInfrastructureExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Readiness means restored: a runtime on an empty state directory, beside changelogs of thousands
 * of instances, answers {@code /health/ready} with 503 and the partitions it restores while it
 * restores them, and with 200 once it has.
 */
@ExtendWith(LooplineInfrastructureExtension.class)
class RuntimeReadinessIT {

    private static final int INSTANCES = 5_000;

    @Test
    void shouldReportNotReadyWhileItRestoresAndReadyAfter(Infrastructure infra) throws Exception {
        // given: a runtime has started thousands of instances, which wait for their "workflow started" answer
        Topics topics = TestTopics.unique("readiness");
        try (Admin admin = infra.admin()) {
            TopicProvisioner.ensureTopics(admin, topics, 3, (short) 1);
        }
        Records.write(infra, topics, Samples.activeOneStep("orders", "order", "Created"));
        Map<String, String> settings = TestRuntime.settings(infra, topics);
        try (LooplineRuntime first = LooplineRuntime.start(RuntimeConfig.from(settings));
                KafkaProducer<String, PlatformEvent> events = Records.events(infra)) {
            GatewayClient management = new GatewayClient(first.managementPort().orElseThrow());
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> first.catalogEntry("orders").isPresent());
            for (int i = 0; i < INSTANCES; i++) {
                events.send(new ProducerRecord<>(
                        topics.events(), "o-" + i, Samples.event("order-" + i, "order", "o-" + i, "Created")));
            }
            events.flush();
            await().atMost(Duration.ofMinutes(3))
                    .pollInterval(Duration.ofSeconds(1))
                    .until(() -> PrometheusText.parse(management.get("/metrics").body())
                                    .sum("loopline_instances_started_total")
                            == INSTANCES);
        }

        // when: a new process takes every task over, with no state of its own, and restores slowly
        settings.put(
                "LOOPLINE_STATE_DIR",
                Directories.temporary("loopline-it-readiness-").toString());
        settings.put("LOOPLINE_KAFKA_RESTORE_CONSUMER_MAX_POLL_RECORDS", "10");
        List<JsonNode> seen = new ArrayList<>();
        try (LooplineRuntime second = LooplineRuntime.start(RuntimeConfig.from(settings))) {
            GatewayClient management = new GatewayClient(second.managementPort().orElseThrow());
            await().atMost(Duration.ofMinutes(3))
                    .pollInterval(Duration.ofMillis(5))
                    .until(() -> {
                        GatewayClient.Response ready = management.get("/health/ready");
                        JsonNode body = ready.json();
                        assertThat(ready.status())
                                .isEqualTo(body.path("status").asText().equals("UP") ? 200 : 503);
                        seen.add(body);
                        return ready.status() == 200;
                    });

            // then: it was not ready while it restored, and is ready with nothing left to restore
            assertThat(seen).as("answers of /health/ready").anySatisfy(body -> {
                assertThat(body.path("status").asText()).isEqualTo("DOWN");
                assertThat(body.path("restoringPartitions").asInt()).isPositive();
            });
            JsonNode last = seen.get(seen.size() - 1);
            assertThat(last.path("restoringPartitions").asInt()).isZero();
            assertThat(last.path("eventHalf").asText()).isEqualTo("RUNNING");
            assertThat(last.path("instanceHalf").asText()).isEqualTo("RUNNING");
            assertThat(management.get("/health/live").status()).isEqualTo(200);
            System.out.printf(
                    "readiness IT: %d answers while %d instances' state was restored; the first restoring: %s%n",
                    seen.size(),
                    INSTANCES,
                    seen.stream()
                            .filter(body -> body.path("restoringPartitions").asInt() > 0)
                            .findFirst()
                            .orElseThrow());
        }
    }
}
