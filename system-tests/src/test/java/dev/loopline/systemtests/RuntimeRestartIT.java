package dev.loopline.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.loopline.api.TopicProvisioner;
import dev.loopline.api.Topics;
import dev.loopline.api.serde.AvroSerdes;
import dev.loopline.api.v1.InstanceTransition;
import dev.loopline.api.v1.PlatformEvent;
import dev.loopline.runtime.config.RuntimeConfig;
import dev.loopline.systemtests.support.Records;
import dev.loopline.systemtests.support.RuntimeProcess;
import dev.loopline.systemtests.support.Samples;
import dev.loopline.systemtests.support.TestRuntime;
import dev.loopline.systemtests.support.TestTopics;
import dev.loopline.systemtests.support.TopicReader;
import dev.loopline.testsupport.handler.AcknowledgingHandler;
import dev.loopline.testsupport.infra.Infrastructure;
import dev.loopline.testsupport.junit.LooplineInfrastructureExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The runtime runs as a separate process and is killed with SIGKILL while instances are in
 * flight. A new process with an empty state directory (so its state can only come from the
 * changelog topics) finishes the work: no instance is lost, no transition or message is doubled.
 */
@ExtendWith(LooplineInfrastructureExtension.class)
class RuntimeRestartIT {

    private static final int EVENTS = 400;
    private static final List<Integer> LIFE = List.of(0, 20, 10, 20, 10, 20, 30);

    @Test
    void shouldFinishEveryInstanceExactlyOnceAfterAHardKill(Infrastructure infra) throws Exception {
        // given
        Topics topics = TestTopics.unique("restart");
        try (Admin admin = infra.admin()) {
            TopicProvisioner.ensureTopics(admin, topics, 4, (short) 1);
        }
        Records.write(infra, topics, Samples.activeOneStep("expenses", "expense_report", "Submitted"));
        AvroSerdes serdes = new AvroSerdes(infra.clientConfig());
        Path logs = Files.createDirectories(Path.of("target", "runtime-processes"));

        try (var handler = AcknowledgingHandler.start(infra.clientConfig(), topics, topics.prefix() + "handler");
                var transitions = TopicReader.transitions(infra, topics);
                var messages = TopicReader.messages(infra, topics);
                var deadLetters = TopicReader.raw(infra.bootstrapServers(), topics.deadLetters())) {
            RuntimeProcess first = RuntimeProcess.start(config(infra, topics), logs.resolve("first.log"));
            try (KafkaProducer<String, PlatformEvent> events = Records.events(infra)) {
                for (int i = 0; i < EVENTS; i++) {
                    events.send(new ProducerRecord<>(
                            topics.events(),
                            "report-" + i,
                            Samples.event("event-" + i, "expense_report", "report-" + i, "Submitted")));
                }
            }

            // when: the first process dies abruptly mid-run
            await().atMost(Duration.ofMinutes(2)).until(() -> completed(transitions.poll()) >= EVENTS / 4);
            first.kill();
            long completedAtKill = completed(transitions.readToEnd());
            try (RuntimeProcess second = RuntimeProcess.start(config(infra, topics), logs.resolve("second.log"))) {
                await().atMost(Duration.ofMinutes(3))
                        .pollInterval(Duration.ofMillis(200))
                        .until(() -> completed(transitions.poll()) >= EVENTS);
                assertThat(second.isAlive()).isTrue();

                // then
                System.out.printf(
                        "restart IT: %d of %d instances had completed when the runtime was killed%n",
                        completedAtKill, EVENTS);
                assertThat(completedAtKill).isLessThan(EVENTS);
                Map<String, List<InstanceTransition>> byInstance = transitions.readToEnd().stream()
                        .map(ConsumerRecord::value)
                        .collect(Collectors.groupingBy(InstanceTransition::getInstanceId));
                assertThat(byInstance).hasSize(EVENTS);
                byInstance.forEach((instance, life) -> {
                    assertThat(life).extracting(InstanceTransition::getSequence).containsExactly(1, 2, 3, 4, 5, 6, 7);
                    assertThat(life)
                            .extracting(InstanceTransition::getStatusCode)
                            .containsExactlyElementsOf(LIFE);
                });
                assertThat(messages.readToEnd())
                        .extracting(r -> r.value().getMessageId())
                        .hasSize(2 * EVENTS)
                        .doesNotHaveDuplicates();
                assertThat(deadLetters.readToEnd()).isEmpty();
                assertThat(handler.handled()).isGreaterThanOrEqualTo(2L * EVENTS);
            }
        }
    }

    private static long completed(List<ConsumerRecord<String, InstanceTransition>> records) {
        return records.stream().filter(r -> r.value().getStatusCode() == 30).count();
    }

    /** Each process gets a fresh, empty state directory: the second one must restore from changelogs. */
    private static RuntimeConfig config(Infrastructure infra, Topics topics) {
        Map<String, String> settings = TestRuntime.settings(infra, topics);
        // A killed member is noticed after the session timeout, and its open transaction is aborted
        // after the transaction timeout: keep both short so the test does not wait on defaults.
        settings.put("LOOPLINE_KAFKA_SESSION_TIMEOUT_MS", "6000");
        settings.put("LOOPLINE_KAFKA_HEARTBEAT_INTERVAL_MS", "1000");
        settings.put("LOOPLINE_KAFKA_TRANSACTION_TIMEOUT_MS", "5000");
        return RuntimeConfig.from(settings);
    }
}
