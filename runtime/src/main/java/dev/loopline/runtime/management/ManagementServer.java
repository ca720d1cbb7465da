package dev.loopline.runtime.management;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.loopline.api.security.ApiKeyStore;
import dev.loopline.api.security.Credentials;
import dev.loopline.api.security.Principal;
import dev.loopline.api.security.Role;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The runtime's management endpoints, on a port of their own: {@code GET /metrics} (Prometheus'
 * text format, role {@code monitor}), {@code GET /health/live} and {@code GET /health/ready} (role
 * {@code monitor} or {@code reader}). Callers authenticate as at the gateway, with an API key from
 * the keys file ({@code Authorization: Bearer <key>} or {@code X-Api-Key}). Every refusal and error
 * is an RFC 9457 problem: 401 without valid credentials (on every path), 403 without the role, 404
 * for another path, 405 for another method, 500 without details.
 *
 * <p>The JDK's own HTTP server serves it: three read-only routes on a port no user traffic reaches
 * need no web framework.
 */
public final class ManagementServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ManagementServer.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PROBLEM = "application/problem+json";

    /** What one route answers: a status and a body with its content type. */
    public record Answer(int status, String contentType, String body) {

        public static Answer json(int status, Map<String, ?> body) {
            try {
                return new Answer(status, "application/json", JSON.writeValueAsString(body));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private record Route(Set<Role> roles, Supplier<Answer> answer) {}

    private final HttpServer server;
    private final ExecutorService threads;

    private ManagementServer(HttpServer server, ExecutorService threads) {
        this.server = server;
        this.threads = threads;
    }

    /**
     * Serves the routes on {@code host:port} (0: any free port).
     *
     * @param keys the callers' keys; empty lets everyone in with every role (authentication off)
     */
    public static ManagementServer start(
            String host,
            int port,
            Optional<ApiKeyStore> keys,
            Supplier<String> metrics,
            Supplier<Answer> live,
            Supplier<Answer> ready)
            throws IOException {
        Map<String, Route> routes = new LinkedHashMap<>();
        routes.put(
                "/metrics",
                new Route(
                        Set.of(Role.MONITOR),
                        () -> new Answer(200, "text/plain; version=0.0.4; charset=utf-8", metrics.get())));
        routes.put("/health/live", new Route(Set.of(Role.MONITOR, Role.READER), live));
        routes.put("/health/ready", new Route(Set.of(Role.MONITOR, Role.READER), ready));
        HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 16);
        ExecutorService threads = Executors.newFixedThreadPool(2, runnable -> {
            Thread thread = new Thread(runnable, "runtime-management");
            thread.setDaemon(true);
            return thread;
        });
        server.setExecutor(threads);
        server.createContext("/", exchange -> handle(exchange, routes, keys));
        server.start();
        log.info(
                "management endpoints on {}:{}{}",
                host,
                server.getAddress().getPort(),
                keys.isPresent() ? "" : " (authentication disabled)");
        return new ManagementServer(server, threads);
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private static void handle(HttpExchange exchange, Map<String, Route> routes, Optional<ApiKeyStore> keys) {
        String path = exchange.getRequestURI().getPath();
        try (exchange) {
            Answer answer;
            try {
                answer = answer(exchange, path, routes, keys);
            } catch (RuntimeException e) {
                log.error("{} {} failed", exchange.getRequestMethod(), path, e);
                answer = problem(500, "internal", "Internal error", "the request failed; the runtime logged why", path);
            }
            byte[] body = answer.body().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", answer.contentType());
            exchange.getResponseHeaders().set("Cache-Control", "no-store");
            exchange.sendResponseHeaders(answer.status(), body.length == 0 ? -1 : body.length);
            if (body.length > 0) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
        } catch (IOException e) {
            log.debug("{}: the caller went away: {}", path, e.getMessage());
        }
    }

    private static Answer answer(
            HttpExchange exchange, String path, Map<String, Route> routes, Optional<ApiKeyStore> keys) {
        Optional<Principal> caller = keys.isEmpty()
                ? Optional.of(Principal.ANONYMOUS)
                : Credentials.presented(
                                exchange.getRequestHeaders().getFirst(Credentials.API_KEY_HEADER),
                                exchange.getRequestHeaders().getFirst("Authorization"))
                        .flatMap(key -> keys.get().authenticate(key));
        if (caller.isEmpty()) {
            exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"loopline\"");
            return problem(
                    401,
                    "unauthorized",
                    "Unauthorized",
                    "credentials are required: Authorization: Bearer <API key>, or X-Api-Key",
                    path);
        }
        Route route = routes.get(path);
        if (route == null) {
            return problem(404, "not-found", "Not found", "no route " + path, path);
        }
        if (!exchange.getRequestMethod().equals("GET")) {
            exchange.getResponseHeaders().set("Allow", "GET");
            return problem(
                    405,
                    "method-not-allowed",
                    "Method not allowed",
                    path + " answers GET, not " + exchange.getRequestMethod(),
                    path);
        }
        if (!caller.get().hasAny(route.roles())) {
            return problem(
                    403,
                    "forbidden",
                    "Forbidden",
                    caller.get().name() + " needs the role "
                            + String.join(
                                    " or ",
                                    route.roles().stream()
                                            .sorted()
                                            .map(Role::id)
                                            .toList()) + " for GET " + path,
                    path);
        }
        return route.answer().get();
    }

    private static Answer problem(int status, String type, String title, String detail, String instance) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", "/problems/" + type);
        body.put("title", title);
        body.put("status", status);
        body.put("detail", detail);
        body.put("instance", instance);
        Answer json = Answer.json(status, body);
        return new Answer(status, PROBLEM, json.body());
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
