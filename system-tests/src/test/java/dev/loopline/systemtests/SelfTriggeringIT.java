package dev.loopline.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.loopline.api.TopicProvisioner;
import dev.loopline.api.Topics;
import dev.loopline.api.serde.AvroSerdes;
import dev.loopline.api.v1.DefinitionStatus;
import dev.loopline.api.v1.InstanceTransition;
import dev.loopline.api.v1.MessageKind;
import dev.loopline.api.v1.PlatformEvent;
import dev.loopline.api.v1.WorkflowDefinition;
import dev.loopline.api.v1.WorkflowMessage;
import dev.loopline.client.Ack;
import dev.loopline.definition.DefinitionCompiler;
import dev.loopline.runtime.LooplineRuntime;
import dev.loopline.runtime.config.RuntimeConfig;
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
 * A definition that updates the record that triggers it. The application turns each upsert
 * message into the platform event it describes, with the message's causation (depth + 1). The
 * chain is bounded: the job triggered past depth 8 fails with the infinite-loop error and does no
 * further work, so the loop stops.
 */
@ExtendWith(LooplineInfrastructureExtension.class)
class SelfTriggeringIT {

    @Test
    void shouldStopAWorkflowThatTriggersItself(Infrastructure infra) throws Exception {
        // given
        Topics topics = TestTopics.unique("loop");
        try (Admin admin = infra.admin()) {
            TopicProvisioner.ensureTopics(admin, topics, 3, (short) 1);
        }
        Records.write(infra, topics, selfUpdating());
        AvroSerdes serdes = new AvroSerdes(infra.clientConfig());
        Map<String, String> settings = TestRuntime.settings(infra, topics);

        try (KafkaProducer<String, PlatformEvent> events = Records.events(infra);
                LooplineRuntime runtime = LooplineRuntime.start(RuntimeConfig.from(settings));
                AcknowledgingHandler application =
                        AcknowledgingHandler.start(infra.clientConfig(), topics, topics.prefix() + "app", message -> {
                            if (message.getKind() == MessageKind.ENTITY_UPSERT) {
                                events.send(new ProducerRecord<>(
                                        topics.events(), message.getEntityId(), eventFor(message)));
                                events.flush();
                            }
                            return Ack.succeeded();
                        });
                var transitions = TopicReader.transitions(infra, topics);
                var messages = TopicReader.messages(infra, topics)) {
            assertThat(runtime.awaitRunning(Duration.ofSeconds(60))).isTrue();

            // when: one upstream update starts the loop
            events.send(new ProducerRecord<>(
                    topics.events(), "acct-1", Samples.event("upstream-1", "account", "acct-1", "Update")));
            events.flush();

            // then: a job fails with the infinite-loop error, and nothing runs after it
            await().atMost(Duration.ofMinutes(2))
                    .until(() -> transitions.poll().stream()
                            .anyMatch(r -> "InfiniteLoop".equals(r.value().getErrorCode())));
            List<InstanceTransition> all =
                    transitions.readToEnd().stream().map(ConsumerRecord::value).toList();
            Map<String, List<InstanceTransition>> instances =
                    all.stream().collect(Collectors.groupingBy(InstanceTransition::getInstanceId));
            List<InstanceTransition> failures = all.stream()
                    .filter(t -> "InfiniteLoop".equals(t.getErrorCode()))
                    .toList();
            long upserts = messages.readToEnd().stream()
                    .filter(r -> r.value().getKind() == MessageKind.ENTITY_UPSERT)
                    .count();
            System.out.printf(
                    "self-triggering IT: %d instances ran before the loop guard stopped the chain: %s%n",
                    instances.size(), failures.get(0).getReason());

            assertThat(failures).singleElement().satisfies(failed -> {
                assertThat(failed.getStatusCode()).isEqualTo(31);
                assertThat(failed.getReason()).startsWith("infinite loop: causation depth 9 exceeds 8");
            });
            assertThat(instances).hasSize(10); // depths 0 to 9; the tenth fails
            assertThat(upserts)
                    .as("every instance but the stopped one updated the record")
                    .isEqualTo(9);
            // 9 "workflow started" and 9 upserts: the stopped job posted nothing
            assertThat(application.handled()).isGreaterThanOrEqualTo(18);
        }
    }

    private static WorkflowDefinition selfUpdating() {
        String document = """
                {"id":"touch-account","name":"touch account","trigger":{"entityType":"account","messageName":"Update"},
                 "steps":[{"name":"touch","kind":"upsert-entity","entityType":"account","entityId":"trigger.entityId",
                           "messageName":"Update","payload":{"touchedBy":"workflow"}}]}""";
        return WorkflowDefinition.newBuilder(new DefinitionCompiler().compile(document, Instant.now()))
                .setStatus(DefinitionStatus.ACTIVE)
                .setVersion(1)
                .build();
    }

    /** What the application publishes after applying an upsert: the update, caused by the workflow. */
    private static PlatformEvent eventFor(WorkflowMessage upsert) {
        return PlatformEvent.newBuilder()
                .setEventId("caused-by-" + upsert.getMessageId())
                .setSource("crm")
                .setEntityType(upsert.getEntityType())
                .setEntityId(upsert.getEntityId())
                .setMessageName(upsert.getMessageName())
                .setAttributes(upsert.getPayload())
                .setOccurredAt(Instant.now())
                .setCausation(upsert.getCausation())
                .build();
    }
}
