package dev.loopline.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loopline.api.Topics;
import dev.loopline.gateway.EventGateway;
import dev.loopline.gateway.GatewayConfig;
import dev.loopline.systemtests.support.GatewayClient;
import dev.loopline.systemtests.support.TestTopics;
import dev.loopline.testsupport.infra.EmbeddedKafkaBroker;
import dev.loopline.testsupport.infra.Infrastructure;
import dev.loopline.testsupport.junit.LooplineInfrastructureExtension;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * With its broker gone, the gateway answers an event 503 within its publish timeout (5 s by
 * default), never 202, and the answer carries the event id that makes sending it again safe. The
 * time is printed, not asserted tightly: the bound checked is three times the timeout, which the
 * gateway missed before (30 to 45 s, when the producer's metadata wait came first).
 */
@ExtendWith(LooplineInfrastructureExtension.class)
class QuorumLossIT {

    private static final String EVENT = """
            {"eventId":"%s","source":"erp","entityType":"expense_report","entityId":"ER-1","messageName":"Submitted"}""";

    @Test
    @Timeout(120)
    void shouldAnswer503WithTheEventIdWithinThePublishTimeoutWhenTheBrokerIsGone(Infrastructure infra) {
        // given: a gateway on a broker of its own
        Topics topics = TestTopics.unique("quorum");
        EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start();
        Map<String, String> settings = new HashMap<>(Map.of(
                "LOOPLINE_BOOTSTRAP_SERVERS", broker.bootstrapServers(),
                "LOOPLINE_SCHEMA_REGISTRY_URL", infra.schemaRegistryUrl(),
                "LOOPLINE_TOPIC_PREFIX", topics.prefix(),
                "LOOPLINE_HTTP_HOST", "127.0.0.1",
                "LOOPLINE_HTTP_PORT", "0"));
        settings.putAll(GatewayClient.authSettings());
        try (EventGateway gateway = EventGateway.start(GatewayConfig.from(settings))) {
            GatewayClient client = new GatewayClient(gateway.port());
            assertThat(client.post("/v1/events", EVENT.formatted("before")).status())
                    .isEqualTo(202);

            // when: the broker is gone
            broker.close();
            long started = System.nanoTime();
            GatewayClient.Response answer = client.post("/v1/events", EVENT.formatted("during"));
            Duration took = Duration.ofNanos(System.nanoTime() - started);

            // then
            System.out.printf(
                    "QuorumLossIT: 503 after %d ms with the broker gone (publish timeout PT4.5S)%n", took.toMillis());
            assertThat(answer.status()).isEqualTo(503);
            assertThat(answer.contentType()).startsWith("application/problem+json");
            assertThat(answer.json().get("eventId").asText()).isEqualTo("during");
            assertThat(answer.json().get("detail").asText()).contains("may still be written");
            assertThat(took).isLessThan(Duration.ofSeconds(15));
            GatewayClient.Response generated = client.post("/v1/events", """
                    {"source":"erp","entityType":"expense_report","entityId":"ER-2","messageName":"Submitted"}""");
            assertThat(generated.status()).isEqualTo(503);
            assertThat(generated.json().get("eventId").asText()).isNotBlank();
            // not ready (send no traffic), but live (a restart would not help)
            GatewayClient.Response ready = client.get("/health/ready");
            assertThat(ready.status()).isEqualTo(503);
            assertThat(ready.json().get("broker").asText()).isEqualTo("UNREACHABLE");
            assertThat(client.get("/health/live").status()).isEqualTo(200);
        } finally {
            broker.close();
        }
    }
}
