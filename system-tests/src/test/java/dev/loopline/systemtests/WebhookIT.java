package dev.loopline.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loopline.api.TopicProvisioner;
import dev.loopline.api.Topics;
import dev.loopline.api.v1.DefinitionStatus;
import dev.loopline.api.v1.WorkflowDefinition;
import dev.loopline.definition.DefinitionCompiler;
import dev.loopline.gateway.EventGateway;
import dev.loopline.gateway.GatewayConfig;
import dev.loopline.gateway.webhook.WebhookSigner;
import dev.loopline.runtime.LooplineRuntime;
import dev.loopline.runtime.config.RuntimeConfig;
import dev.loopline.runtime.domain.InstanceIds;
import dev.loopline.systemtests.support.GatewayClient;
import dev.loopline.systemtests.support.NodeWebhookReceiver;
import dev.loopline.systemtests.support.PrometheusText;
import dev.loopline.systemtests.support.Records;
import dev.loopline.systemtests.support.TestRuntime;
import dev.loopline.systemtests.support.TestTopics;
import dev.loopline.testsupport.infra.Directories;
import dev.loopline.testsupport.infra.Infrastructure;
import dev.loopline.testsupport.infra.TestCertificates;
import dev.loopline.testsupport.junit.LooplineInfrastructureExtension;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Webhook delivery against a real HTTPS receiver: the Node.js example of {@code
 * examples/webhook-receiver-node}, which verifies every request's signature with the Standard
 * Webhooks library. One instance per kind of answer: approved (200, the body is the output), busy
 * once (503, retried with backoff, then approved), rejected (400, suspended), too slow (timed out,
 * retried). The receiver refuses a request signed with another key, or not signed.
 */
@ExtendWith(LooplineInfrastructureExtension.class)
class WebhookIT {

    private static final String DEFINITION = """
            {"id":"hooked","name":"approval by webhook",
             "trigger":{"entityType":"expense_report","messageName":"Submitted"},
             "steps":[{"name":"approval","kind":"send-message","messageName":"RequestApproval",
                       "payload":{"behaviour":"=trigger.attributes.behaviour"}}]}""";

    @Test
    void shouldAcknowledgeEachKindOfAnswerThroughTheFailurePolicy(Infrastructure infra) throws Exception {
        // given
        Topics topics = TestTopics.unique("webhooks");
        try (Admin admin = infra.admin()) {
            TopicProvisioner.ensureTopics(admin, topics, 3, (short) 1);
        }
        TestCertificates certificates =
                TestCertificates.create(Directories.temporary("loopline-it-webhook-tls-"), Set.of("receiver"));
        String secret = secret();
        WorkflowDefinition hooked = WorkflowDefinition.newBuilder(
                        new DefinitionCompiler().compile(DEFINITION, Instant.now()))
                .setStatus(DefinitionStatus.ACTIVE)
                .setVersion(1)
                .build();
        Records.write(infra, topics, hooked);

        try (NodeWebhookReceiver receiver = NodeWebhookReceiver.start(secret, certificates, "receiver")) {
            Map<String, String> settings = TestRuntime.settings(infra, topics);
            settings.put("LOOPLINE_HTTP_HOST", "127.0.0.1");
            settings.put("LOOPLINE_HTTP_PORT", "0");
            settings.put("LOOPLINE_WEBHOOKS", "RequestApproval=https://localhost:" + receiver.port() + "/approvals");
            settings.put("LOOPLINE_WEBHOOK_SECRET", secret);
            settings.put("LOOPLINE_WEBHOOK_TIMEOUT", "PT2S");
            settings.put(
                    "LOOPLINE_WEBHOOK_TRUSTSTORE", certificates.truststore().toString());
            settings.put("LOOPLINE_WEBHOOK_TRUSTSTORE_PASSWORD", certificates.password());
            try (LooplineRuntime runtime = LooplineRuntime.start(RuntimeConfig.from(settings));
                    EventGateway eventGateway = EventGateway.start(GatewayConfig.from(settings))) {
                GatewayClient gateway = new GatewayClient(eventGateway.port());
                await().atMost(Duration.ofSeconds(60))
                        .until(() -> runtime.catalogEntry("hooked").isPresent());

                // when: one report per kind of answer
                for (String behaviour : List.of("approve", "busy-once", "reject", "slow")) {
                    assertThat(gateway.post("/v1/events", """
                                    {"eventId":"%1$s","source":"erp","entityType":"expense_report","entityId":"ER-%1$s",
                                     "messageName":"Submitted","attributes":{"behaviour":"%1$s"}}""".formatted(behaviour))
                                    .status())
                            .isEqualTo(202);
                }

                // then: approved completes; busy once is retried and completes
                await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
                    assertThat(instance(gateway, "approve").path("statusCode").asInt())
                            .isEqualTo(30);
                    assertThat(instance(gateway, "busy-once").path("statusCode").asInt())
                            .isEqualTo(30);
                });
                assertThat(instance(gateway, "busy-once").path("transitions").toString())
                        .contains("Webhook503");
                // rejected is suspended for a person; too slow is postponed to be tried again
                await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                    JsonNode rejected = instance(gateway, "reject");
                    assertThat(rejected.path("statusCode").asInt()).isEqualTo(10);
                    assertThat(rejected.path("errorCode").asText()).isEqualTo("Webhook400");
                    JsonNode slow = instance(gateway, "slow");
                    assertThat(slow.path("errorCode").asText()).isEqualTo("WebhookTimeout");
                    assertThat(slow.path("retryCount").asInt()).isGreaterThanOrEqualTo(1);
                });

                // and: every delivery verified, each message id its own webhook id
                List<JsonNode> requests = receiver.requests();
                assertThat(requests)
                        .isNotEmpty()
                        .allSatisfy(r -> assertThat(r.path("verified").asBoolean())
                                .as(r.toString())
                                .isTrue());
                assertThat(requests.stream().map(r -> r.path("messageId").asText()))
                        .contains(InstanceIds.instanceId("approve", "hooked") + "/step-0");

                // and: the gateway counts each delivery by message name and outcome
                PrometheusText metrics =
                        PrometheusText.parse(gateway.get("/metrics").body());
                assertThat(metrics.sum(
                                "loopline_webhook_deliveries_total",
                                Map.of("message", "RequestApproval", "outcome", "succeeded")))
                        .isGreaterThanOrEqualTo(2);
                assertThat(metrics.sum(
                                "loopline_webhook_deliveries_total",
                                Map.of("message", "RequestApproval", "outcome", "failed")))
                        .isGreaterThanOrEqualTo(2);
                assertThat(metrics.sum(
                                "loopline_webhook_deliveries_total",
                                Map.of("message", "RequestApproval", "outcome", "timeout")))
                        .isGreaterThanOrEqualTo(1);
            }

            // when: someone else sends the receiver a request, signed with another key, or not at all
            HttpClient client =
                    HttpClient.newBuilder().sslContext(trusting(certificates)).build();
            String body = "{\"messageId\":\"x/step-0\",\"instanceId\":\"x\",\"payload\":{\"behaviour\":\"approve\"}}";
            URI uri = URI.create("https://localhost:" + receiver.port() + "/approvals");
            long now = Instant.now().getEpochSecond();

            // then: refused; the same request signed with the right key is taken
            assertThat(post(client, uri, body, new WebhookSigner(secret()).signature("x/step-0", now, body), now))
                    .isEqualTo(401);
            assertThat(post(client, uri, body, null, now)).isEqualTo(401);
            assertThat(post(client, uri, body, new WebhookSigner(secret).signature("x/step-0", now, body), now))
                    .isEqualTo(200);
        }
    }

    private static JsonNode instance(GatewayClient gateway, String eventId) {
        return gateway.get("/v1/instances/" + InstanceIds.instanceId(eventId, "hooked"))
                .json();
    }

    private static int post(HttpClient client, URI uri, String body, String signature, long timestamp)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri)
                .header("Content-Type", "application/json")
                .header("webhook-id", "x/step-0")
                .header("webhook-timestamp", Long.toString(timestamp))
                .header("Idempotency-Key", "x/step-0")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (signature != null) {
            request.header("webhook-signature", signature);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString())
                .statusCode();
    }

    private static String secret() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return WebhookSigner.SECRET_PREFIX + Base64.getEncoder().encodeToString(key);
    }

    private static SSLContext trusting(TestCertificates certificates) throws Exception {
        KeyStore trusted = KeyStore.getInstance(certificates.storeType());
        try (InputStream in = Files.newInputStream(certificates.truststore())) {
            trusted.load(in, certificates.password().toCharArray());
        }
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(trusted);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return context;
    }
}
