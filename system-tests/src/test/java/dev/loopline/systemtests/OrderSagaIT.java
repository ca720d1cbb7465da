package dev.loopline.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.loopline.api.v1.MessageKind;
import dev.loopline.api.v1.WorkflowMessage;
import dev.loopline.client.Ack;
import dev.loopline.runtime.domain.InstanceIds;
import dev.loopline.systemtests.support.Examples;
import dev.loopline.systemtests.support.RunningLoop;
import dev.loopline.testsupport.infra.Infrastructure;
import dev.loopline.testsupport.junit.LooplineInfrastructureExtension;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A saga on a real broker and registry ({@code examples/order-saga.json}): an order reserves stock,
 * charges the card and ships; the shipment fails for good, so the charge is refunded and then the
 * stock released, each through the message loop, and the instance fails with the shipment's error.
 */
@ExtendWith(LooplineInfrastructureExtension.class)
class OrderSagaIT {

    @Test
    void shouldUndoTheChargeThenTheReservationWhenShippingFails(Infrastructure infra) throws Exception {
        try (RunningLoop loop = RunningLoop.start(infra, "saga", message -> switch (message.getMessageName()) {
            case "ReserveStock" -> Ack.succeeded(Map.of("reservation", "res-1"));
            case "ChargeCard" -> Ack.succeeded(Map.of("payment", "pay-1"));
            case "Ship" -> Ack.fail("NoCarrier", "no carrier serves the address");
            default -> Ack.succeeded();
        })) {
            // given
            loop.activate(Examples.read("order-saga.json"));

            // when
            assertThat(loop.gateway.post("/v1/events", """
                            {"eventId":"order-1-created","source":"shop","entityType":"order","entityId":"order-1",
                             "messageName":"Create"}""").status()).isEqualTo(202);
            String instance = InstanceIds.instanceId("order-1-created", "order-saga");

            // then: the compensations ran newest first, with the outputs of the steps they undo
            await().atMost(Duration.ofSeconds(60))
                    .untilAsserted(() -> assertThat(loop.status(instance)).isEqualTo(31));
            assertThat(loop.received)
                    .filteredOn(message -> message.getKind() == MessageKind.STEP_REQUEST)
                    .extracting(WorkflowMessage::getMessageName)
                    .containsExactly("ReserveStock", "ChargeCard", "Ship", "RefundCard", "ReleaseStock");
            assertThat(loop.first("RefundCard").getPayload()).containsEntry("payment", "pay-1");
            assertThat(loop.first("ReleaseStock").getPayload()).containsEntry("reservation", "res-1");
            var read = loop.gateway.get("/v1/instances/" + instance).json();
            assertThat(read.get("errorCode").asText()).isEqualTo("NoCarrier");
            assertThat(read.get("transitions").findValuesAsText("reason"))
                    .anySatisfy(reason -> assertThat(reason).startsWith("compensating the steps that succeeded"))
                    .anySatisfy(reason -> assertThat(reason).startsWith("failed after compensating"));
            assertThat(loop.handler.handled()).isGreaterThanOrEqualTo(6);
        }
    }
}
