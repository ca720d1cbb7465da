package dev.loopline.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.loopline.api.v1.MessageKind;
import dev.loopline.api.v1.WorkflowMessage;
import dev.loopline.client.Ack;
import dev.loopline.runtime.domain.InstanceIds;
import dev.loopline.systemtests.support.Examples;
import dev.loopline.systemtests.support.GatewayClient;
import dev.loopline.systemtests.support.RunningLoop;
import dev.loopline.testsupport.handler.AcknowledgingHandler;
import dev.loopline.testsupport.infra.Infrastructure;
import dev.loopline.testsupport.junit.LooplineInfrastructureExtension;
import java.time.Duration;
import java.util.List;
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
        try (RunningLoop loop = RunningLoop.start(infra, "review", message -> Ack.succeeded())) {
            // given
            loop.activate(Examples.read("document-review.json"));
            GatewayClient gateway = loop.gateway;
            List<WorkflowMessage> received = loop.received;
            AcknowledgingHandler handler = loop.handler;

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
                    .untilAsserted(() -> assertThat(loop.status(instance)).isEqualTo(10));
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
                    .untilAsserted(() -> assertThat(loop.status(instance)).isEqualTo(30));
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

    private static WorkflowMessage find(List<WorkflowMessage> messages, MessageKind kind) {
        return messages.stream().filter(m -> m.getKind() == kind).findFirst().orElse(null);
    }
}
