package dev.loopline.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.loopline.api.Topics;
import dev.loopline.api.v1.DefinitionStatus;
import dev.loopline.api.v1.InstanceTransition;
import dev.loopline.api.v1.PlatformEvent;
import dev.loopline.api.v1.WorkflowDefinition;
import dev.loopline.definition.DefinitionCompiler;
import dev.loopline.runtime.LooplineRuntime;
import dev.loopline.runtime.config.RuntimeConfig;
import dev.loopline.runtime.domain.InstanceIds;
import dev.loopline.runtime.domain.InstanceLimits;
import dev.loopline.systemtests.support.Records;
import dev.loopline.systemtests.support.Samples;
import dev.loopline.systemtests.support.TestRuntime;
import dev.loopline.systemtests.support.TestTopics;
import dev.loopline.systemtests.support.TopicReader;
import dev.loopline.testsupport.handler.AcknowledgingHandler;
import dev.loopline.testsupport.infra.Infrastructure;
import dev.loopline.testsupport.junit.LooplineInfrastructureExtension;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * An instance that grows a variable past what Kafka could write (two mebibytes by doubling, with
 * the default limits) fails alone, with the limit's error code, and the instances after it run.
 * Without the limits its state could not be written: the transaction would abort, the task retry
 * the same input, and every instance of the task stop behind it.
 */
@ExtendWith(LooplineInfrastructureExtension.class)
class InstanceLimitIT {

    @Test
    @Timeout(180)
    void shouldFailTheOversizedInstanceAloneAndRunTheNextOne(Infrastructure infra) {
        // given
        Topics topics = TestTopics.unique("limits");
        Map<String, String> settings = TestRuntime.settings(infra, topics);
        settings.put("LOOPLINE_PARTITIONS", "1");
        try (LooplineRuntime runtime = LooplineRuntime.start(RuntimeConfig.from(settings));
                AcknowledgingHandler handler =
                        AcknowledgingHandler.start(infra.clientConfig(), topics, topics.prefix() + "handler");
                KafkaProducer<String, PlatformEvent> events = Records.events(infra);
                var transitions = TopicReader.transitions(infra, topics)) {
            Records.write(infra, topics, growing());
            Records.write(infra, topics, Samples.activeOneStep("expenses", "expense_report", "Submitted"));
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> runtime.catalogEntry("growing").isPresent()
                            && runtime.catalogEntry("expenses").isPresent());

            // when: the growing instance first, then a control instance on the same partition
            events.send(new ProducerRecord<>(
                    topics.events(), "doc-1", Samples.event("grow-1", "document", "doc-1", "Created")));
            events.send(new ProducerRecord<>(
                    topics.events(),
                    "report-1",
                    Samples.event("control-1", "expense_report", "report-1", "Submitted")));
            events.flush();

            // then
            String growingId = InstanceIds.instanceId("grow-1", "growing");
            String controlId = InstanceIds.instanceId("control-1", "expenses");
            InstanceTransition failed = awaitCompletion(transitions, growingId);
            assertThat(failed.getStatusCode()).isEqualTo(31);
            assertThat(failed.getErrorCode()).isEqualTo(InstanceLimits.ERROR_CODE);
            assertThat(failed.getReason()).contains("instance limit exceeded").contains("over the limit of 65536");
            assertThat(awaitCompletion(transitions, controlId).getStatusCode()).isEqualTo(30);
            // "workflow started" of both, and the control's one step: the failed one posted nothing more
            assertThat(handler.handled()).isEqualTo(3);
        }
    }

    /** The last transition of the instance, once it is Completed. */
    private static InstanceTransition awaitCompletion(
            TopicReader<String, InstanceTransition> transitions, String instanceId) {
        return await().atMost(Duration.ofSeconds(90))
                .until(
                        () -> transitions.poll().stream()
                                .map(r -> r.value())
                                .filter(t ->
                                        t != null && t.getInstanceId().equals(instanceId) && t.getStatusCode() >= 30)
                                .findFirst(),
                        Optional::isPresent)
                .orElseThrow();
    }

    /** 16 characters, doubled by 17 set-variable steps: 2 MiB at the end, 64 KiB after the twelfth. */
    private static WorkflowDefinition growing() {
        String doublings =
                IntStream.rangeClosed(1, 17).mapToObj(i -> """
                        {"name":"double%d","kind":"set-variable","variable":"text","value":"vars.text + vars.text"},""".formatted(i)).collect(Collectors.joining());
        String document = """
                {"id":"growing","name":"growing","trigger":{"entityType":"document","messageName":"Created"},
                 "steps":[{"name":"seed","kind":"set-variable","variable":"text","value":"'0123456789abcdef'"},
                          %s
                          {"name":"publish","kind":"send-message","messageName":"Publish","payload":{"text":"=vars.text"}}]}""".formatted(doublings);
        return WorkflowDefinition.newBuilder(new DefinitionCompiler().compile(document, Instant.now()))
                .setStatus(DefinitionStatus.ACTIVE)
                .setVersion(1)
                .build();
    }
}
