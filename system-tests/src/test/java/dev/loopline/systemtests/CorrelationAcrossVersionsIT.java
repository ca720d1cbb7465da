package dev.loopline.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.loopline.api.v1.DefinitionStatus;
import dev.loopline.api.v1.WorkflowMessage;
import dev.loopline.client.Ack;
import dev.loopline.runtime.domain.InstanceIds;
import dev.loopline.systemtests.support.RunningLoop;
import dev.loopline.testsupport.infra.Infrastructure;
import dev.loopline.testsupport.junit.LooplineInfrastructureExtension;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Correlation serves every version that still has instances, on a real broker and registry: a
 * definition is edited so that its new version no longer waits for what the old one waits for, and
 * the old version's running instance still receives its event.
 */
@ExtendWith(LooplineInfrastructureExtension.class)
class CorrelationAcrossVersionsIT {

    private static final String V1 = """
            {"id":"invoice-payment","name":"Invoice payment","trigger":{"entityType":"invoice","messageName":"Created"},
             "steps":[{"name":"paid","kind":"wait-for-event",
                       "event":{"entityType":"invoice","messageName":"Paid","key":"trigger.entityId"}},
                      {"name":"thank","kind":"send-message","messageName":"Thank"}]}""";

    private static final String V2 = """
            {"id":"invoice-payment","name":"Invoice payment","trigger":{"entityType":"invoice","messageName":"Created"},
             "steps":[{"name":"thank","kind":"send-message","messageName":"Thank"}]}""";

    @Test
    void shouldStillDeliverToAnInstanceOfAVersionWhoseWaitTheNextVersionDropped(Infrastructure infra) throws Exception {
        try (RunningLoop loop = RunningLoop.start(infra, "versions", message -> Ack.succeeded())) {
            // given: an instance of version 1 waits for its invoice's Paid event
            loop.activate(V1);
            String waiting = InstanceIds.instanceId("inv-1-created", "invoice-payment");
            assertThat(loop.gateway.post("/v1/events", created("inv-1")).status())
                    .isEqualTo(202);
            await().atMost(Duration.ofSeconds(60))
                    .untilAsserted(() -> assertThat(loop.status(waiting)).isEqualTo(10));

            // when: version 2 waits for nothing, and is what new invoices start
            assertThat(loop.gateway
                            .post("/v1/definitions/invoice-payment/deactivate", "")
                            .status())
                    .isEqualTo(200);
            assertThat(loop.gateway
                            .post("/v1/definitions", V2)
                            .json()
                            .get("version")
                            .asInt())
                    .isEqualTo(2);
            assertThat(loop.gateway
                            .post("/v1/definitions/invoice-payment/activate", "")
                            .status())
                    .isEqualTo(200);
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> loop.runtime
                            .catalogEntry("invoice-payment")
                            .filter(d -> d.getVersion() == 2 && d.getStatus() == DefinitionStatus.ACTIVE)
                            .isPresent());
            String second = InstanceIds.instanceId("inv-2-created", "invoice-payment");
            assertThat(loop.gateway.post("/v1/events", created("inv-2")).status())
                    .isEqualTo(202);
            await().atMost(Duration.ofSeconds(60))
                    .untilAsserted(() -> assertThat(loop.status(second)).isEqualTo(30));

            // then: the Paid event still reaches version 1's instance, which goes on on its own steps
            assertThat(loop.gateway.post("/v1/events", """
                            {"eventId":"inv-1-paid","source":"erp","entityType":"invoice","entityId":"inv-1",
                             "messageName":"Paid"}""").status()).isEqualTo(202);
            await().atMost(Duration.ofSeconds(60))
                    .untilAsserted(() -> assertThat(loop.status(waiting)).isEqualTo(30));
            assertThat(loop.received)
                    .filteredOn(message -> message.getMessageName().equals("Thank"))
                    .extracting(WorkflowMessage::getInstanceId, WorkflowMessage::getDefinitionVersion)
                    .containsExactlyInAnyOrder(
                            org.assertj.core.groups.Tuple.tuple(second, 2),
                            org.assertj.core.groups.Tuple.tuple(waiting, 1));
        }
    }

    private static String created(String invoice) {
        return """
                {"eventId":"%s-created","source":"erp","entityType":"invoice","entityId":"%s","messageName":"Created"}""".formatted(invoice, invoice);
    }
}
