package dev.loopline.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.loopline.api.TopicProvisioner;
import dev.loopline.api.Topics;
import dev.loopline.api.v1.MessageKind;
import dev.loopline.api.v1.WorkflowMessage;
import dev.loopline.client.Ack;
import dev.loopline.gateway.EventGateway;
import dev.loopline.gateway.GatewayConfig;
import dev.loopline.runtime.LooplineRuntime;
import dev.loopline.runtime.config.RuntimeConfig;
import dev.loopline.runtime.domain.InstanceIds;
import dev.loopline.systemtests.support.Examples;
import dev.loopline.systemtests.support.GatewayClient;
import dev.loopline.systemtests.support.TestRuntime;
import dev.loopline.systemtests.support.TestTopics;
import dev.loopline.testsupport.handler.AcknowledgingHandler;
import dev.loopline.testsupport.infra.Infrastructure;
import dev.loopline.testsupport.junit.LooplineInfrastructureExtension;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * SharePoint's task round trip, with the document-review example: an item is created, the workflow
 * creates a review task, the application changes the task (first in progress, then completed and
 * approved), the workflow continues, publishes the document and completes.
 */
@ExtendWith(LooplineInfrastructureExtension.class)
class SharePointReviewIT {

    @Test
    void shouldCreateATaskWaitForItsCompletionAndFinish(Infrastructure infra) throws Exception {
        // given
        Topics topics = TestTopics.unique("review");
        try (Admin admin = infra.admin()) {
            TopicProvisioner.ensureTopics(admin, topics, 3, (short) 1);
        }
        Map<String, String> settings = TestRuntime.settings(infra, topics);
        settings.put("LOOPLINE_HTTP_HOST", "127.0.0.1");
        settings.put("LOOPLINE_HTTP_PORT", "0");
        List<WorkflowMessage> received = new CopyOnWriteArrayList<>();

        try (LooplineRuntime runtime = LooplineRuntime.start(RuntimeConfig.from(settings));
                EventGateway eventGateway = EventGateway.start(GatewayConfig.from(settings));
                AcknowledgingHandler handler =
                        AcknowledgingHandler.start(infra.clientConfig(), topics, topics.prefix() + "app", message -> {
                            received.add(message);
                            return Ack.succeeded();
                        })) {
            GatewayClient gateway = new GatewayClient(eventGateway.port());
            assertThat(gateway.post("/v1/definitions", Examples.read("document-review.json"))
                            .status())
                    .isEqualTo(201);
            assertThat(gateway.post("/v1/definitions/document-review/activate", "")
                            .status())
                    .isEqualTo(200);
            assertThat(runtime.awaitRunning(Duration.ofSeconds(60))).isTrue();
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> runtime.catalogEntry("document-review").isPresent());

            // when: an item is created in the document library
            assertThat(gateway.post("/v1/events", """
                            {"eventId":"doc-created-1","source":"sharepoint","entityType":"document","entityId":"doc-1",
                             "messageName":"ItemCreated","attributes":{"title":"Q4 plan","owner":"alice"}}""").status()).isEqualTo(202);
            String instance = InstanceIds.instanceId("doc-created-1", "document-review");

            // then: the workflow asks the application to create the review task
            WorkflowMessage taskCreated = await().atMost(Duration.ofSeconds(60))
                    .until(() -> find(received, MessageKind.TASK_CREATED), m -> m != null);
            String taskId = (String) taskCreated.getPayload().get("taskId");
            assertThat(taskCreated.getPayload())
                    .containsEntry("title", "Review Q4 plan")
                    .containsEntry("assignee", "alice");
            assertThat(taskId).isEqualTo(InstanceIds.taskId(instance, 0));

            // when: the application reports the task's changes
            await().atMost(Duration.ofSeconds(30))
                    .untilAsserted(() -> assertThat(status(gateway, instance)).isEqualTo(10));
            publishTaskChange(gateway, "task-change-1", taskId, "InProgress", null);
            publishTaskChange(gateway, "task-change-2", taskId, "Completed", "Approved");

            // then: the workflow publishes the document and completes
            WorkflowMessage publish = await().atMost(Duration.ofSeconds(60))
                    .until(() -> find(received, MessageKind.ENTITY_UPSERT), m -> m != null);
            assertThat(publish.getEntityType()).isEqualTo("document");
            assertThat(publish.getEntityId()).isEqualTo("doc-1");
            assertThat(publish.getPayload()).containsEntry("status", "Published");
            assertThat(publish.getCausation().getDepth()).isEqualTo(1);
            await().atMost(Duration.ofSeconds(60))
                    .untilAsserted(() -> assertThat(status(gateway, instance)).isEqualTo(30));
            assertThat(gateway.get("/v1/instances/" + instance)
                            .json()
                            .get("transitions")
                            .findValuesAsText("reason"))
                    .anySatisfy(reason -> assertThat(reason).contains("TaskChanged task " + taskId));
            assertThat(handler.handled()).isGreaterThanOrEqualTo(3);
        }
    }

    private static void publishTaskChange(
            GatewayClient gateway, String eventId, String taskId, String status, String outcome) {
        String attributes = outcome == null
                ? "{\"status\":\"%s\"}".formatted(status)
                : "{\"status\":\"%s\",\"outcome\":\"%s\"}".formatted(status, outcome);
        var response = gateway.post("/v1/events", """
                {"eventId":"%s","source":"sharepoint","entityType":"task","entityId":"%s","messageName":"TaskChanged",
                 "attributes":%s}""".formatted(eventId, taskId, attributes));
        assertThat(response.status()).isEqualTo(202);
    }

    private static int status(GatewayClient gateway, String instance) {
        var response = gateway.get("/v1/instances/" + instance);
        return response.status() == 200 ? response.json().get("statusCode").asInt() : -1;
    }

    private static WorkflowMessage find(List<WorkflowMessage> messages, MessageKind kind) {
        return messages.stream().filter(m -> m.getKind() == kind).findFirst().orElse(null);
    }
}
