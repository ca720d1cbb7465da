package dev.loopline.systemtests.support;

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
import dev.loopline.testsupport.handler.AcknowledgingHandler;
import dev.loopline.testsupport.infra.Infrastructure;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.apache.kafka.clients.admin.Admin;

/**
 * One test's loop on the suite's broker and registry: topics of its own, a runtime, a gateway and an
 * application that answers every message with {@code answers} and keeps what it received.
 */
public final class RunningLoop implements AutoCloseable {

    public final LooplineRuntime runtime;
    public final GatewayClient gateway;
    public final AcknowledgingHandler handler;
    /** Every message the application received, in order. */
    public final List<WorkflowMessage> received = new CopyOnWriteArrayList<>();

    private final EventGateway eventGateway;

    private RunningLoop(
            Infrastructure infra, String name, Function<WorkflowMessage, Ack> answers, Map<String, String> extra)
            throws Exception {
        Topics topics = TestTopics.unique(name);
        try (Admin admin = infra.admin()) {
            TopicProvisioner.ensureTopics(admin, topics, 3, (short) 1);
        }
        Map<String, String> settings = TestRuntime.settings(infra, topics);
        settings.put("LOOPLINE_HTTP_HOST", "127.0.0.1");
        settings.put("LOOPLINE_HTTP_PORT", "0");
        settings.putAll(extra);
        runtime = LooplineRuntime.start(RuntimeConfig.from(settings));
        eventGateway = EventGateway.start(GatewayConfig.from(settings));
        handler = AcknowledgingHandler.start(infra.clientConfig(), topics, topics.prefix() + "app", message -> {
            received.add(message);
            return answers.apply(message);
        });
        gateway = new GatewayClient(eventGateway.port());
    }

    public static RunningLoop start(Infrastructure infra, String name, Function<WorkflowMessage, Ack> answers)
            throws Exception {
        return new RunningLoop(infra, name, answers, Map.of());
    }

    /** As {@link #start(Infrastructure, String, Function)}, with settings of the test's own (a keys file, say). */
    public static RunningLoop start(
            Infrastructure infra, String name, Function<WorkflowMessage, Ack> answers, Map<String, String> settings)
            throws Exception {
        return new RunningLoop(infra, name, answers, settings);
    }

    /** The gateway's HTTP port, for clients with keys of their own. */
    public int gatewayPort() {
        return eventGateway.port();
    }

    /** Deploys and activates each document, and waits until the runtime runs and sees them all. */
    public void activate(String... documents) throws InterruptedException {
        for (String document : documents) {
            GatewayClient.Response deployed = gateway.post("/v1/definitions", document);
            assertThat(deployed.status()).as(deployed.body()).isEqualTo(201);
            String id = deployed.json().get("id").asText();
            assertThat(gateway.post("/v1/definitions/" + id + "/activate", "").status())
                    .isEqualTo(200);
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> runtime.catalogEntry(id).isPresent());
        }
        assertThat(runtime.awaitRunning(Duration.ofSeconds(60))).isTrue();
    }

    /** An instance's status code as the gateway reads it; -1 while it cannot (not yet there, a partition moving). */
    public int status(String instanceId) {
        GatewayClient.Response response = gateway.get("/v1/instances/" + instanceId);
        return response.status() == 200 ? response.json().get("statusCode").asInt() : -1;
    }

    /** The first message of this kind the application received, or null. */
    public WorkflowMessage first(MessageKind kind) {
        return received.stream().filter(m -> m.getKind() == kind).findFirst().orElse(null);
    }

    /** The first message of this name the application received, or null. */
    public WorkflowMessage first(String messageName) {
        return received.stream()
                .filter(m -> m.getMessageName().equals(messageName))
                .findFirst()
                .orElse(null);
    }

    /** Stops the application, the gateway and the runtime, in that order, each even if another fails. */
    @Override
    public void close() {
        try {
            handler.close();
        } finally {
            try {
                eventGateway.close();
            } finally {
                runtime.close();
            }
        }
    }
}
