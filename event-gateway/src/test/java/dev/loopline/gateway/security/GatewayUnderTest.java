package dev.loopline.gateway.security;

import dev.loopline.api.security.ApiKeyStore;
import dev.loopline.gateway.GatewayConfig;
import dev.loopline.gateway.http.GatewayServer;
import dev.loopline.gateway.kafka.AckPublisher;
import dev.loopline.gateway.kafka.BrokerProbe;
import dev.loopline.gateway.kafka.DeadLetters;
import dev.loopline.gateway.kafka.DefinitionRepository;
import dev.loopline.gateway.kafka.EventPublisher;
import dev.loopline.gateway.kafka.OperatorChannel;
import dev.loopline.gateway.query.MemoryQueryStores;
import dev.loopline.observability.Meters;
import dev.loopline.observability.Tracing;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The real HTTP server with the real route handlers and Kafka clients, on a free port, for tests
 * of what happens before a handler touches Kafka. The clients point at a closed port and are never
 * started: the definitions stay empty, a send gives up after {@code max.block.ms} (200 ms), and
 * instance queries read empty stores in memory ({@link MemoryQueryStores}), so a request that
 * passes authorisation answers quickly with what the handler decides (400, 404, 200 on an empty
 * read model, 503), never with a fake success.
 */
final class GatewayUnderTest implements AutoCloseable {

    private final EventPublisher publisher;
    private final AckPublisher acks;
    private final DefinitionRepository definitions;
    private final OperatorChannel operators;
    private final DeadLetters deadLetters;
    private final MemoryQueryStores stores;
    private final GatewayServer server;
    private final HttpClient http;
    private final String base;

    private GatewayUnderTest(GatewayUnderTest server, HttpClient http) {
        this.publisher = server.publisher;
        this.acks = server.acks;
        this.definitions = server.definitions;
        this.operators = server.operators;
        this.deadLetters = server.deadLetters;
        this.stores = server.stores;
        this.server = server.server;
        this.http = http;
        this.base = server.base;
    }

    private GatewayUnderTest(Map<String, String> security, HttpClient http, String scheme) {
        Map<String, String> env = new HashMap<>(security);
        env.put("LOOPLINE_BOOTSTRAP_SERVERS", "127.0.0.1:1");
        env.put("LOOPLINE_SCHEMA_REGISTRY_URL", "http://127.0.0.1:1/apis/ccompat/v7");
        env.put("LOOPLINE_KAFKA_MAX_BLOCK_MS", "200");
        env.put("LOOPLINE_KAFKA_DEFAULT_API_TIMEOUT_MS", "200");
        env.put("LOOPLINE_HTTP_HOST", "127.0.0.1");
        env.put("LOOPLINE_HTTP_PORT", "0");
        GatewayConfig config = GatewayConfig.from(env);
        GatewaySecurity gatewaySecurity = GatewaySecurity.from(config.security());
        Map<String, Object> clients = config.clientConfig();
        this.publisher = new EventPublisher(clients, config.topics());
        this.acks = new AckPublisher(clients, config.topics(), EventPublisher.DEFAULT_TIMEOUT);
        this.definitions = new DefinitionRepository(clients, config.topics());
        this.operators = new OperatorChannel(clients, config.topics());
        this.deadLetters = new DeadLetters(clients, config.topics());
        this.stores = new MemoryQueryStores(6);
        this.server = GatewayServer.start(
                config.httpHost(),
                config.httpPort(),
                publisher,
                acks,
                definitions,
                deadLetters,
                stores,
                operators,
                gatewaySecurity,
                config.tls(),
                config.http(),
                new BrokerProbe(clients),
                Meters.open("loopline-gateway"),
                Tracing.propagating());
        this.http = http;
        this.base = scheme + "://127.0.0.1:" + server.port();
    }

    static GatewayUnderTest start(Map<String, String> security) {
        return new GatewayUnderTest(security, HttpClient.newHttpClient(), "http");
    }

    static GatewayUnderTest startHttps(Map<String, String> security, HttpClient client) {
        return new GatewayUnderTest(security, client, "https");
    }

    /** A keys file with one entry per line given, each an object as {@link ApiKeyStore} reads it. */
    static Path keysFile(Path dir, List<String> entries) {
        try {
            return Files.writeString(dir.resolve("keys.json"), "[\n" + String.join(",\n", entries) + "\n]\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    HttpResponse<String> call(String method, String path, String body, Map<String, String> headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        headers.forEach(request::header);
        return send(request.build());
    }

    /** Sends a request built by the caller, through this gateway's client. */
    HttpResponse<String> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Sends a request without waiting for the answer, for requests at once. */
    CompletableFuture<HttpResponse<String>> sendAsync(HttpRequest request) {
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofString());
    }

    /** The query stores the instance routes read. */
    MemoryQueryStores stores() {
        return stores;
    }

    /** {@code scheme://127.0.0.1:port}. */
    String base() {
        return base;
    }

    /** A POST of these bytes with this content type (none if null). */
    HttpResponse<String> post(String path, byte[] body, String contentType) {
        HttpRequest.Builder request =
                HttpRequest.newBuilder(URI.create(base + path)).POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        return send(request.build());
    }

    /** The same server through another client (a new client makes new connections). */
    GatewayUnderTest withClient(HttpClient client) {
        return new GatewayUnderTest(this, client);
    }

    HttpResponse<String> get(String path, Map<String, String> headers) {
        return call("GET", path, null, headers);
    }

    static Map<String, String> bearer(String credential) {
        return Map.of("Authorization", "Bearer " + credential);
    }

    @Override
    public void close() {
        server.close();
        operators.close();
        deadLetters.close();
        definitions.close();
        publisher.close();
        acks.close();
    }
}
