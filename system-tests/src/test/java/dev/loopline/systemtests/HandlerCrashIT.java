package dev.loopline.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.loopline.api.TopicProvisioner;
import dev.loopline.api.Topics;
import dev.loopline.api.v1.DefinitionStatus;
import dev.loopline.api.v1.InstanceTransition;
import dev.loopline.api.v1.PlatformEvent;
import dev.loopline.api.v1.WorkflowDefinition;
import dev.loopline.definition.DefinitionCompiler;
import dev.loopline.runtime.LooplineRuntime;
import dev.loopline.runtime.config.RuntimeConfig;
import dev.loopline.runtime.domain.InstanceIds;
import dev.loopline.systemtests.support.ApprovalsService;
import dev.loopline.systemtests.support.Examples;
import dev.loopline.systemtests.support.HandlerProcess;
import dev.loopline.systemtests.support.Records;
import dev.loopline.systemtests.support.TestRuntime;
import dev.loopline.systemtests.support.TestTopics;
import dev.loopline.systemtests.support.TopicReader;
import dev.loopline.testsupport.infra.Infrastructure;
import dev.loopline.testsupport.junit.LooplineInfrastructureExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The example expense handler, built on {@code loopline-client}, answers 10,000 approval requests
 * and is killed (SIGKILL) a third of the way through; a second process of the same group takes
 * over. No acknowledgement is lost: every instance completes, approved. No side effect happens
 * twice: the handler passes the message id as {@code Idempotency-Key}, and the approvals service
 * applied each once, though some were sent again after the crash (printed).
 */
@ExtendWith(LooplineInfrastructureExtension.class)
class HandlerCrashIT {

    private static final int INSTANCES = 10_000;
    private static final int KILL_AFTER = 3_000;

    @Test
    void shouldLoseNoAcknowledgementAndApplyNoEffectTwiceWhenTheHandlerIsKilled(Infrastructure infra) throws Exception {
        // given
        Topics topics = TestTopics.unique("handler-crash");
        try (Admin admin = infra.admin()) {
            TopicProvisioner.ensureTopics(admin, topics, 6, (short) 1);
        }
        WorkflowDefinition expenses = WorkflowDefinition.newBuilder(
                        new DefinitionCompiler().compile(Examples.read("expense-approval.json"), Instant.now()))
                .setStatus(DefinitionStatus.ACTIVE)
                .setVersion(1)
                .build();
        Records.write(infra, topics, expenses);
        Set<String> instances = IntStream.range(0, INSTANCES)
                .mapToObj(i -> InstanceIds.instanceId("submitted-" + i, expenses.getId()))
                .collect(Collectors.toSet());
        Path logs = Files.createDirectories(Path.of("target", "handler-processes"));
        String group = topics.prefix() + "expense-handler";

        try (ApprovalsService approvals = ApprovalsService.start();
                LooplineRuntime runtime =
                        LooplineRuntime.start(RuntimeConfig.from(TestRuntime.settings(infra, topics)));
                var transitions = TopicReader.transitions(infra, topics);
                var deadLetters = TopicReader.raw(infra.bootstrapServers(), topics.deadLetters())) {
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> runtime.catalogEntry(expenses.getId()).isPresent());
            HandlerProcess first =
                    HandlerProcess.start(infra, topics, group, approvals.uri(), logs.resolve("first.log"));
            try (first) {
                long started = System.nanoTime();
                try (KafkaProducer<String, PlatformEvent> events = Records.events(infra)) {
                    for (int i = 0; i < INSTANCES; i++) {
                        String report = "ER-" + i;
                        PlatformEvent submitted = PlatformEvent.newBuilder()
                                .setEventId("submitted-" + i)
                                .setSource("erp")
                                .setEntityType("expense_report")
                                .setEntityId(report)
                                .setMessageName("Submitted")
                                .setAttributes(Map.of("amount", 100.0 + i))
                                .setOccurredAt(Instant.now())
                                .build();
                        events.send(new ProducerRecord<>(topics.events(), report, submitted));
                    }
                }

                // when: the handler dies a third of the way through, and another takes its place
                await().atMost(Duration.ofMinutes(3))
                        .until(() -> approvals.applied().size() >= KILL_AFTER);
                first.kill();
                int appliedAtKill = approvals.applied().size();
                long callsAtKill = approvals.calls();
                double killedAt = (System.nanoTime() - started) / 1e9;
                try (HandlerProcess second =
                        HandlerProcess.start(infra, topics, group, approvals.uri(), logs.resolve("second.log"))) {

                    // then: every instance completes, approved
                    Set<String> succeeded = new HashSet<>();
                    await().atMost(Duration.ofMinutes(5))
                            .pollInterval(Duration.ofMillis(500))
                            .until(() -> {
                                for (ConsumerRecord<String, InstanceTransition> record : transitions.poll()) {
                                    if (record.value() != null && record.value().getStatusCode() == 30) {
                                        succeeded.add(record.key());
                                    }
                                }
                                return succeeded.size() >= INSTANCES;
                            });
                    double seconds = (System.nanoTime() - started) / 1e9;
                    assertThat(second.isAlive()).isTrue();
                    assertThat(succeeded).isEqualTo(instances);

                    // and each approval was applied once, for the step of each instance
                    Set<String> applied = approvals.applied();
                    assertThat(applied).hasSize(INSTANCES);
                    assertThat(applied.stream()
                                    .map(key -> key.substring(0, key.indexOf('/')))
                                    .collect(Collectors.toSet()))
                            .isEqualTo(instances);
                    assertThat(approvals.mostEffectsOfOneKey()).isEqualTo(1);
                    assertThat(deadLetters.readToEnd()).isEmpty();
                    System.out.printf(
                            "handler crash IT: %,d instances in %.1f s; killed at %.1f s, after %,d approvals (%,d calls); "
                                    + "%,d calls in all, %,d of them repeats of an approval already applied%n",
                            INSTANCES,
                            seconds,
                            killedAt,
                            appliedAtKill,
                            callsAtKill,
                            approvals.calls(),
                            approvals.calls() - INSTANCES);
                }
            }
        }
    }
}
