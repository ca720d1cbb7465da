package dev.loopline.gateway.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loopline.api.ErrorCategories;
import dev.loopline.api.Topics;
import dev.loopline.client.Ack;
import dev.loopline.client.ClientListener;
import dev.loopline.client.LooplineClient;
import dev.loopline.client.Message;
import dev.loopline.observability.LooplineMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers messages to webhooks: a {@link LooplineClient} of its own consumer group (never a
 * stream thread) that POSTs each bound message, signed ({@link WebhookSigner}), to its URL, and
 * turns the receiver's answer into the acknowledgement:
 *
 * <table>
 *   <tr><th>answer</th><th>acknowledgement</th><th>default failure policy</th></tr>
 *   <tr><td>2xx</td><td>succeeded; a JSON object body's top-level scalars are the output</td><td></td></tr>
 *   <tr><td>408, 429, 5xx</td><td>failed, {@code Webhook<status>}, category {@value ErrorCategories#TRANSIENT}</td><td>retried with backoff</td></tr>
 *   <tr><td>other 4xx</td><td>failed, {@code Webhook<status>}, category {@value ErrorCategories#SUSPEND}</td><td>suspended</td></tr>
 *   <tr><td>no answer in time, or no connection</td><td>failed, {@code WebhookTimeout} or {@code WebhookUnreachable}, category {@value ErrorCategories#NETWORK}</td><td>retried with backoff</td></tr>
 * </table>
 *
 * A retried step is a new message with a new id ({@code …/attempt-n}), so each attempt is its own
 * delivery. A redelivery of the same message (after a crash) has the same {@code webhook-id} and
 * {@code Idempotency-Key}. "Workflow started" messages are acknowledged here unless bound.
 */
public final class WebhookDelivery implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(WebhookDelivery.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_ERROR_TEXT = 500;

    private final WebhookSettings settings;
    private final WebhookSigner signer;
    private final HttpClient http;
    private final Clock clock;
    private final LooplineClient client;
    private final MeterRegistry registry;

    private WebhookDelivery(
            Map<String, Object> clientConfig,
            Topics topics,
            WebhookSettings settings,
            Clock clock,
            MeterRegistry registry) {
        this.settings = settings;
        this.registry = registry;
        this.signer = new WebhookSigner(settings.secret());
        this.clock = clock;
        this.http = HttpClient.newBuilder()
                .connectTimeout(settings.timeout())
                .sslContext(sslContext(settings))
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
        Map<String, Object> config = new HashMap<>(clientConfig);
        config.put(ConsumerConfig.GROUP_ID_CONFIG, settings.group());
        LooplineClient.Builder builder = LooplineClient.builder(config)
                .topics(topics)
                .concurrency(settings.concurrency())
                .listener(new ClientListener() {
                    @Override
                    public void retrying(String operation, Throwable error, int attempt, Duration delay) {
                        log.warn(
                                "webhooks: {} failed (attempt {}), again in {}: {}",
                                operation,
                                attempt,
                                delay,
                                error.toString());
                    }
                });
        settings.bindings().forEach((name, uri) -> builder.handle(name, message -> deliver(uri, message)));
        this.client = builder.start();
    }

    /** Starts delivering the bound messages. */
    public static WebhookDelivery start(
            Map<String, Object> clientConfig, Topics topics, WebhookSettings settings, MeterRegistry registry) {
        return new WebhookDelivery(clientConfig, topics, settings, Clock.systemUTC(), registry);
    }

    Ack deliver(URI uri, Message message) throws InterruptedException {
        String body = body(message);
        long timestamp = clock.instant().getEpochSecond();
        HttpRequest.Builder request = HttpRequest.newBuilder(uri);
        // the receiver's work joins the trace of the business event behind the message
        message.traceParent().ifPresent(value -> request.header("traceparent", value));
        message.traceState().ifPresent(value -> request.header("tracestate", value));
        request.timeout(settings.timeout())
                .header("Content-Type", "application/json")
                .header("webhook-id", message.id())
                .header("webhook-timestamp", Long.toString(timestamp))
                .header("webhook-signature", signer.signature(message.id(), timestamp, body))
                .header("Idempotency-Key", message.id())
                .POST(HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (HttpTimeoutException e) {
            count(message, "timeout");
            return Ack.failed(
                    "WebhookTimeout",
                    ErrorCategories.NETWORK,
                    uri.getHost() + " did not answer within " + settings.timeout());
        } catch (IOException e) {
            count(message, "unreachable");
            return Ack.failed("WebhookUnreachable", ErrorCategories.NETWORK, uri.getHost() + ": " + e);
        }
        count(message, response.statusCode() >= 200 && response.statusCode() < 300 ? "succeeded" : "failed");
        return answer(response.statusCode(), response.body());
    }

    private void count(Message message, String outcome) {
        LooplineMetrics.WEBHOOK_DELIVERIES
                .counter(registry, message.name(), outcome)
                .increment();
    }

    /** The acknowledgement a receiver's answer gives. */
    static Ack answer(int status, String body) {
        if (status >= 200 && status < 300) {
            return Ack.succeeded(output(body));
        }
        String code = "Webhook" + status;
        String text = "the receiver answered " + status + (body == null || body.isBlank() ? "" : ": " + cut(body));
        if (status == 408 || status == 429 || status >= 500) {
            return Ack.failed(code, ErrorCategories.TRANSIENT, text);
        }
        return Ack.failed(code, ErrorCategories.SUSPEND, text);
    }

    /** A JSON object body's top-level scalars; anything else gives no output. */
    private static Map<String, Object> output(String body) {
        Map<String, Object> output = new LinkedHashMap<>();
        if (body == null || body.isBlank()) {
            return output;
        }
        JsonNode node;
        try {
            node = JSON.readTree(body);
        } catch (IOException e) {
            return output;
        }
        if (node == null || !node.isObject()) {
            return output;
        }
        for (Map.Entry<String, JsonNode> field : node.properties()) {
            JsonNode value = field.getValue();
            if (value.isTextual()) {
                output.put(field.getKey(), value.asText());
            } else if (value.isBoolean()) {
                output.put(field.getKey(), value.asBoolean());
            } else if (value.isIntegralNumber() && value.canConvertToLong()) {
                output.put(field.getKey(), value.asLong());
            } else if (value.isNumber()) {
                output.put(field.getKey(), value.asDouble());
            } else if (value.isNull()) {
                output.put(field.getKey(), null);
            }
        }
        return output;
    }

    /** The request body: the message, without its reply token (the gateway answers for the receiver). */
    static String body(Message message) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("messageId", message.id());
        body.put("instanceId", message.instanceId());
        body.put("definitionId", message.definitionId());
        body.put("definitionVersion", message.definitionVersion());
        body.put("kind", message.kind().name());
        body.put("messageName", message.name());
        body.put("entityType", message.entityType());
        body.put("entityId", message.entityId());
        body.put("payload", message.payload());
        body.put("createdAt", message.createdAt().toString());
        message.causation().ifPresent(causation -> {
            Map<String, Object> cause = new LinkedHashMap<>();
            cause.put("originatingInstanceId", causation.getOriginatingInstanceId());
            cause.put("depth", causation.getDepth());
            cause.put(
                    "chainStartedAt",
                    causation.getChainStartedAt() == null
                            ? null
                            : causation.getChainStartedAt().toString());
            body.put("causation", cause);
        });
        try {
            return JSON.writeValueAsString(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String cut(String text) {
        return text.length() <= MAX_ERROR_TEXT ? text : text.substring(0, MAX_ERROR_TEXT) + "…";
    }

    private static SSLContext sslContext(WebhookSettings settings) {
        try {
            if (settings.truststore().isEmpty()) {
                return SSLContext.getDefault();
            }
            KeyStore trusted = KeyStore.getInstance(settings.truststoreType());
            try (InputStream in = Files.newInputStream(settings.truststore().get())) {
                trusted.load(in, settings.truststorePassword().toCharArray());
            }
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(trusted);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return context;
        } catch (IOException e) {
            throw new UncheckedIOException("LOOPLINE_WEBHOOK_TRUSTSTORE cannot be read", e);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("LOOPLINE_WEBHOOK_TRUSTSTORE is not a usable truststore: " + e, e);
        }
    }

    @Override
    public void close() {
        client.close();
    }
}
