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
 * A saga on a real broker and registry ({@code examples/order-saga.json}): an order reserves stock, charges the card and ships; the
 * shipment fails for good, so the charge is refunded and then the stock released, each through the
 * message loop, and the instance fails with the shipment's error.
 */
@ExtendWith(LooplineInfrastructureExtension.class)
class OrderSagaIT {

    @Test
    void shouldUndoTheChargeThenTheReservationWhenShippingFails(Infrastructure infra) throws Exception {
        // given
        Topics topics = TestTopics.unique("saga");
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
                            return switch (message.getMessageName()) {
                                case "ReserveStock" -> Ack.succeeded(Map.of("reservation", "res-1"));
                                case "ChargeCard" -> Ack.succeeded(Map.of("payment", "pay-1"));
                                case "Ship" -> Ack.fail("NoCarrier", "no carrier serves the address");
                                default -> Ack.succeeded();
                            };
                        })) {
            GatewayClient gateway = new GatewayClient(eventGateway.port());
            assertThat(gateway.post("/v1/definitions", Examples.read("order-saga.json"))
                            .status())
                    .isEqualTo(201);
            assertThat(gateway.post("/v1/definitions/order-saga/activate", "").status())
                    .isEqualTo(200);
            assertThat(runtime.awaitRunning(Duration.ofSeconds(60))).isTrue();
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> runtime.catalogEntry("order-saga").isPresent());

            // when
            assertThat(gateway.post("/v1/events", """
                            {"eventId":"order-1-created","source":"shop","entityType":"order","entityId":"order-1",
                             "messageName":"Create"}""").status()).isEqualTo(202);
            String instance = InstanceIds.instanceId("order-1-created", "order-saga");

            // then: the compensations ran newest first, with the outputs of the steps they undo
            await().atMost(Duration.ofSeconds(60))
                    .untilAsserted(() -> assertThat(status(gateway, instance)).isEqualTo(31));
            assertThat(received)
                    .filteredOn(message -> message.getKind() == MessageKind.STEP_REQUEST)
                    .extracting(WorkflowMessage::getMessageName)
                    .containsExactly("ReserveStock", "ChargeCard", "Ship", "RefundCard", "ReleaseStock");
            assertThat(received)
                    .filteredOn(message -> message.getMessageName().equals("RefundCard"))
                    .singleElement()
                    .satisfies(refund -> assertThat(refund.getPayload()).containsEntry("payment", "pay-1"));
            assertThat(received)
                    .filteredOn(message -> message.getMessageName().equals("ReleaseStock"))
                    .singleElement()
                    .satisfies(release -> assertThat(release.getPayload()).containsEntry("reservation", "res-1"));
            var read = gateway.get("/v1/instances/" + instance).json();
            assertThat(read.get("errorCode").asText()).isEqualTo("NoCarrier");
            assertThat(read.get("transitions").findValuesAsText("reason"))
                    .anySatisfy(reason -> assertThat(reason).startsWith("compensating the steps that succeeded"))
                    .anySatisfy(reason -> assertThat(reason).startsWith("failed after compensating"));
            assertThat(handler.handled()).isGreaterThanOrEqualTo(6);
        }
    }

    private static int status(GatewayClient gateway, String instance) {
        var response = gateway.get("/v1/instances/" + instance);
        return response.status() == 200 ? response.json().get("statusCode").asInt() : -1;
    }
}
