package dev.loopline.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.loopline.api.v1.WorkflowMessage;
import dev.loopline.client.Ack;
import dev.loopline.runtime.domain.InstanceIds;
import dev.loopline.systemtests.support.Examples;
import dev.loopline.systemtests.support.RunningLoop;
import dev.loopline.testsupport.infra.Infrastructure;
import dev.loopline.testsupport.junit.LooplineInfrastructureExtension;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Fan out and join on a real broker and registry ({@code examples/supplier-onboarding.json}): a new
 * supplier is checked three ways at once, each check a child workflow in a branch of its own; the
 * parent goes on only when all three have succeeded, with each child's result as its output.
 */
@ExtendWith(LooplineInfrastructureExtension.class)
class ParallelChildrenIT {

    @Test
    void shouldRunThreeChildrenInParallelAndGoOnWhenAllHaveSucceeded(Infrastructure infra) throws Exception {
        try (RunningLoop loop = RunningLoop.start(infra, "parallel", message -> switch (message.getMessageName()) {
            case "RunSupplierCheck" ->
                Ack.succeeded(Map.of("result", message.getPayload().get("check") + " ok"));
            default -> Ack.succeeded();
        })) {
            // given
            loop.activate(Examples.read("supplier-check.json"), Examples.read("supplier-onboarding.json"));

            // when
            assertThat(loop.gateway.post("/v1/events", """
                            {"eventId":"sup-1-created","source":"erp","entityType":"supplier","entityId":"sup-1",
                             "messageName":"Create"}""").status()).isEqualTo(202);
            String parent = InstanceIds.instanceId("sup-1-created", "supplier-onboarding");

            // then: the parent completes after its three children, with their results
            await().atMost(Duration.ofSeconds(90))
                    .untilAsserted(() -> assertThat(loop.status(parent)).isEqualTo(30));
            List<WorkflowMessage> checks = loop.received.stream()
                    .filter(message -> message.getMessageName().equals("RunSupplierCheck"))
                    .toList();
            assertThat(checks)
                    .extracting(message -> message.getPayload().get("check"))
                    .containsExactlyInAnyOrder("tax", "bank", "sanctions");
            assertThat(checks).extracting(WorkflowMessage::getInstanceId).doesNotHaveDuplicates();
            WorkflowMessage activate = loop.first("ActivateSupplier");
            assertThat(activate.getPayload())
                    .containsEntry("tax", "tax ok")
                    .containsEntry("bank", "bank ok")
                    .containsEntry("sanctions", "sanctions ok")
                    .containsEntry("passed", 3L);
            int activateAt = loop.received.indexOf(activate);
            for (WorkflowMessage check : checks) {
                assertThat(loop.received.indexOf(check)).isLessThan(activateAt);
                var child = loop.gateway
                        .get("/v1/instances/" + check.getInstanceId())
                        .json();
                assertThat(child.get("statusCode").asInt()).isEqualTo(30);
                assertThat(child.get("parentInstanceId").asText()).isEqualTo(parent);
            }
            // and the parent's history shows the join it waited on
            var history = loop.gateway.get("/v1/instances/" + parent).json();
            assertThat(history.get("transitions").findValuesAsText("reason"))
                    .anySatisfy(
                            reason -> assertThat(reason).startsWith("waiting for the join of step checks: branches"));
        }
    }
}
