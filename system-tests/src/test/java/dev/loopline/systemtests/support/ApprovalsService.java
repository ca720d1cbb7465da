package dev.loopline.systemtests.support;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The business system behind the example expense handler: it approves every report, and applies
 * each {@code Idempotency-Key} once, as a payment or an approval API does. It counts both the
 * calls and the effects, so that a test sees how often a message came again and that the effect
 * still happened once.
 */
public final class ApprovalsService implements AutoCloseable {

    private static final String DECISION = "{\"approved\":true,\"approver\":\"m.manager\"}";

    private final HttpServer server;
    private final AtomicLong calls = new AtomicLong();
    /** Idempotency key → how many times its effect was applied: 1, by the key. */
    private final Map<String, AtomicLong> effects = new ConcurrentHashMap<>();

    private ApprovalsService() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/approvals", this::approve);
        server.setExecutor(Executors.newFixedThreadPool(8));
        server.start();
    }

    public static ApprovalsService start() {
        try {
            return new ApprovalsService();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public URI uri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    private void approve(HttpExchange exchange) throws IOException {
        calls.incrementAndGet();
        exchange.getRequestBody().readAllBytes();
        String key = exchange.getRequestHeaders().getFirst("Idempotency-Key");
        if (key == null) {
            exchange.sendResponseHeaders(400, -1);
            exchange.close();
            return;
        }
        effects.computeIfAbsent(key, k -> new AtomicLong()).compareAndSet(0, 1); // applied once per key
        byte[] body = DECISION.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, body.length);
        exchange.getResponseBody().write(body);
        exchange.close();
    }

    /** Requests received, repeats included. */
    public long calls() {
        return calls.get();
    }

    /** Keys whose effect was applied. */
    public Set<String> applied() {
        return Set.copyOf(effects.keySet());
    }

    /** The most times one key's effect was applied. */
    public long mostEffectsOfOneKey() {
        return effects.values().stream().mapToLong(AtomicLong::get).max().orElse(0);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
