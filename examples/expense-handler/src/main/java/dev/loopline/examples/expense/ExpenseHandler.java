package dev.loopline.examples.expense;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loopline.api.Topics;
import dev.loopline.api.config.CommonSettings;
import dev.loopline.client.Ack;
import dev.loopline.client.EventPublisher;
import dev.loopline.client.LooplineClient;
import dev.loopline.client.Message;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An expense application's end of the loop, built on {@code loopline-client}. It answers the
 * expense-approval workflow ({@code examples/expense-approval.json}):
 *
 * <ul>
 *   <li>{@code RequestApproval}: asks the approvals service ({@code POST <APPROVALS_URL>/approvals},
 *       with the message id as {@code Idempotency-Key}, so that a redelivered message is not
 *       approved twice) and answers with its decision; a 5xx or no answer is a retry, a 4xx
 *       suspends the job for a person to look at;
 *   <li>entity upserts: records the report's new state and publishes the event that says so, with
 *       the message's causation.
 * </ul>
 *
 * <p>Configured by environment: {@code LOOPLINE_BOOTSTRAP_SERVERS}, {@code
 * LOOPLINE_SCHEMA_REGISTRY_URL}, {@code LOOPLINE_TOPIC_PREFIX} ({@code loopline.}), {@code
 * APPROVALS_URL}, {@code HANDLER_GROUP} ({@code expense-handler}).
 */
public final class ExpenseHandler implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final URI approvals;
    private final EventPublisher publisher;
    private final LooplineClient client;

    public ExpenseHandler(Map<String, Object> kafkaProperties, Topics topics, URI approvalsService) {
        this.approvals = approvalsService.resolve("/approvals");
        this.publisher = EventPublisher.create(kafkaProperties, topics);
        this.client = LooplineClient.builder(kafkaProperties)
                .topics(topics)
                .handle("RequestApproval", this::requestApproval)
                .handleUpserts(this::recordUpsert)
                .start();
    }

    public static void main(String[] args) throws InterruptedException {
        Map<String, String> env = System.getenv();
        Map<String, Object> kafka = new HashMap<>();
        kafka.put("bootstrap.servers", required(env, "LOOPLINE_BOOTSTRAP_SERVERS"));
        kafka.put("schema.registry.url", required(env, "LOOPLINE_SCHEMA_REGISTRY_URL"));
        kafka.put("group.id", env.getOrDefault("HANDLER_GROUP", "expense-handler"));
        Topics topics = new Topics(CommonSettings.TOPIC_PREFIX.from(env));
        ExpenseHandler handler = new ExpenseHandler(kafka, topics, URI.create(required(env, "APPROVALS_URL")));
        Runtime.getRuntime().addShutdownHook(new Thread(handler::close, "expense-handler-shutdown"));
        handler.client.awaitStopped();
    }

    private Ack requestApproval(Message message) throws InterruptedException {
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("report", message.entityId());
        request.put("amount", message.payload().get("amount"));
        request.put("approverRole", message.payload().get("approverRole"));
        HttpResponse<String> response;
        try {
            response = http.send(
                    HttpRequest.newBuilder(approvals)
                            .timeout(Duration.ofSeconds(10))
                            .header("Content-Type", "application/json")
                            .header("Idempotency-Key", message.id())
                            .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(request)))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            return Ack.retry("ApprovalsUnreachable", e.toString());
        }
        if (response.statusCode() >= 500) {
            return Ack.retry("ApprovalsUnavailable", "approvals service answered " + response.statusCode());
        }
        if (response.statusCode() >= 400) {
            return Ack.suspend(
                    "ApprovalRefused", "approvals service answered " + response.statusCode() + ": " + response.body());
        }
        try {
            JsonNode decision = JSON.readTree(response.body());
            return Ack.succeeded(Map.of(
                    "approved", decision.path("approved").asBoolean(false),
                    "approver", decision.path("approver").asText("")));
        } catch (IOException e) {
            return Ack.suspend("ApprovalUnreadable", "approvals service answered something that is not JSON");
        }
    }

    private Ack recordUpsert(Message message) throws Exception {
        // the expense system's own write would go here; then the event that reports it
        publisher.publishUpserted(message, "erp", message.payload()).get();
        return Ack.succeeded();
    }

    /** Blocks until the client stopped. */
    public void awaitStopped() throws InterruptedException {
        client.awaitStopped();
    }

    @Override
    public void close() {
        client.close();
        publisher.close();
    }

    private static String required(Map<String, String> env, String name) {
        String value = env.get(name);
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("set " + name);
        }
        return value;
    }
}
