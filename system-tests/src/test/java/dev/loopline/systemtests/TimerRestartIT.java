package dev.loopline.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.loopline.api.TopicProvisioner;
import dev.loopline.api.Topics;
import dev.loopline.api.serde.AvroSerdes;
import dev.loopline.api.v1.DefinitionStatus;
import dev.loopline.api.v1.InstanceTransition;
import dev.loopline.api.v1.PlatformEvent;
import dev.loopline.api.v1.WorkflowDefinition;
import dev.loopline.api.v1.WorkflowMessage;
import dev.loopline.definition.DefinitionCompiler;
import dev.loopline.runtime.config.RuntimeConfig;
import dev.loopline.runtime.domain.InstanceIds;
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
import java.time.Instant;
import java.util.ArrayList;
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
 * Durable timers: instances suspended on a delay, and instances suspended on a wait with a
 * timeout, when the runtime process is killed (SIGKILL). A new process with empty local state
 * restores the timer index from its changelog and fires every timer exactly once.
 */
@ExtendWith(LooplineInfrastructureExtension.class)
class TimerRestartIT {

    private static final int EACH = 10;
    private static final Duration TIMER = Duration.ofSeconds(6);

    @Test
    void shouldFireEveryDelayAndTimeoutOnceAcrossAHardKill(Infrastructure infra) throws Exception {
        // given
        Topics topics = TestTopics.unique("timers");
        try (Admin admin = infra.admin()) {
            TopicProvisioner.ensureTopics(admin, topics, 3, (short) 1);
        }
        Records.write(infra, topics, definition("delayed", """
                {"name":"pause","kind":"delay","duration":"PT6S"},
                {"name":"done","kind":"send-message","messageName":"Done"}"""));
        Records.write(infra, topics, definition("waiting", """
                {"name":"payment","kind":"wait-for-event",
                 "event":{"entityType":"payment","messageName":"Received","key":"trigger.entityId"},
                 "timeout":"PT6S","onTimeout":[{"name":"remind","kind":"send-message","messageName":"Remind"}]}"""));
        AvroSerdes serdes = new AvroSerdes(infra.clientConfig());
        Path logs = Files.createDirectories(Path.of("target", "runtime-processes"));
        List<String> delayed = new ArrayList<>();
        List<String> waiting = new ArrayList<>();

        try (var handler = AcknowledgingHandler.start(infra.clientConfig(), topics, topics.prefix() + "app");
                var transitions = TopicReader.transitions(infra, topics);
                var messages = TopicReader.messages(infra, topics)) {
            RuntimeProcess first = RuntimeProcess.start(config(infra, topics), logs.resolve("timers-first.log"));
            try (KafkaProducer<String, PlatformEvent> events = Records.events(infra)) {
                for (int i = 0; i < EACH; i++) {
                    events.send(new ProducerRecord<>(
                            topics.events(), "d-" + i, Samples.event("ev-d-" + i, "delayed", "d-" + i, "Create")));
                    events.send(new ProducerRecord<>(
                            topics.events(), "w-" + i, Samples.event("ev-w-" + i, "waiting", "w-" + i, "Create")));
                    delayed.add(InstanceIds.instanceId("ev-d-" + i, "delayed"));
                    waiting.add(InstanceIds.instanceId("ev-w-" + i, "waiting"));
                }
            }

            // when: every instance is suspended on its timer, the runtime dies
            await().atMost(Duration.ofMinutes(2)).until(() -> suspendedOnTimers(transitions.poll()) == 2 * EACH);
            first.kill();
            try (RuntimeProcess second =
                    RuntimeProcess.start(config(infra, topics), logs.resolve("timers-second.log"))) {
                await().atMost(Duration.ofMinutes(3))
                        .pollInterval(Duration.ofMillis(250))
                        .until(() -> completed(transitions.poll()) == 2 * EACH);

                // then: each timer fired once
                Map<String, List<InstanceTransition>> lives = transitions.readToEnd().stream()
                        .map(ConsumerRecord::value)
                        .collect(Collectors.groupingBy(InstanceTransition::getInstanceId));
                for (String instance : delayed) {
                    assertThat(reasons(lives.get(instance)))
                            .filteredOn(r -> r.equals("resumed: delay of pause elapsed"))
                            .hasSize(1);
                }
                for (String instance : waiting) {
                    assertThat(reasons(lives.get(instance)))
                            .filteredOn(r -> r.startsWith("resumed: timed out"))
                            .hasSize(1);
                }
                lives.values()
                        .forEach(life -> assertThat(life)
                                .extracting(InstanceTransition::getSequence)
                                .doesNotHaveDuplicates());
                List<WorkflowMessage> sent =
                        messages.readToEnd().stream().map(ConsumerRecord::value).toList();
                assertThat(sent).extracting(WorkflowMessage::getMessageId).doesNotHaveDuplicates();
                assertThat(sent)
                        .filteredOn(m -> m.getMessageName().equals("Done"))
                        .hasSize(EACH);
                assertThat(sent)
                        .filteredOn(m -> m.getMessageName().equals("Remind"))
                        .hasSize(EACH);
                assertThat(second.isAlive()).isTrue();
                assertThat(handler.handled()).isGreaterThanOrEqualTo(4L * EACH);
                report(lives, waiting);
            }
        }
    }

    /** How late the timeouts that ran wholly on the second process fired: printed, not asserted. */
    private static void report(Map<String, List<InstanceTransition>> lives, List<String> waiting) {
        List<Long> lateness = new ArrayList<>();
        for (String instance : waiting) {
            List<InstanceTransition> life = lives.get(instance);
            Instant opened = null;
            for (InstanceTransition t : life) {
                if (t.getReason().startsWith("waiting for Received")) {
                    opened = t.getTimestamp();
                } else if (opened != null && t.getReason().startsWith("resumed: timed out")) {
                    lateness.add(Duration.between(opened.plus(TIMER), t.getTimestamp())
                            .toMillis());
                }
            }
        }
        lateness.sort(Long::compare);
        System.out.printf(
                "timer IT: %d timeouts fired once each after the kill; lateness from due time min %d ms, max %d ms "
                        + "(includes the restart for timers that fell due while no runtime ran)%n",
                lateness.size(), lateness.get(0), lateness.get(lateness.size() - 1));
    }

    private static long suspendedOnTimers(List<ConsumerRecord<String, InstanceTransition>> records) {
        return records.stream()
                .map(ConsumerRecord::value)
                .filter(t -> t.getReason() != null
                        && (t.getReason().startsWith("waiting for delay pause")
                                || t.getReason().startsWith("waiting for Received")))
                .count();
    }

    private static long completed(List<ConsumerRecord<String, InstanceTransition>> records) {
        return records.stream().filter(r -> r.value().getStatusCode() == 30).count();
    }

    private static List<String> reasons(List<InstanceTransition> life) {
        return life.stream().map(InstanceTransition::getReason).toList();
    }

    private static WorkflowDefinition definition(String id, String steps) {
        String document = """
                {"id":"%s","name":"%s","trigger":{"entityType":"%s","messageName":"Create"},"steps":[%s]}""".formatted(id, id, id, steps);
        return WorkflowDefinition.newBuilder(new DefinitionCompiler().compile(document, Instant.now()))
                .setStatus(DefinitionStatus.ACTIVE)
                .setVersion(1)
                .build();
    }

    private static RuntimeConfig config(Infrastructure infra, Topics topics) {
        Map<String, String> settings = TestRuntime.settings(infra, topics);
        settings.put("LOOPLINE_KAFKA_SESSION_TIMEOUT_MS", "6000");
        settings.put("LOOPLINE_KAFKA_HEARTBEAT_INTERVAL_MS", "1000");
        settings.put("LOOPLINE_KAFKA_TRANSACTION_TIMEOUT_MS", "5000");
        return RuntimeConfig.from(settings);
    }
}
