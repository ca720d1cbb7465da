package dev.loopline.gateway.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loopline.api.security.ApiKeyStore;
import dev.loopline.api.security.Role;
import dev.loopline.definition.DefinitionLimits;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP edge's limits against the real server: CORS preflights and {@code OPTIONS}, the
 * per-principal rate limit, the body deadline against a client that trickles its body, the cap on
 * requests in flight, and the definition size limit. Each limit is set low in its own gateway so
 * that the test reaches it in a few requests.
 */
class HttpEdgeTest {

    private static final String ORIGIN = "https://console.example.com";
    private static final String KEY = "edge-key-0123456789abcdef0123456789abcdef";
    private static final String OTHER_KEY = "edge-key-fedcba9876543210fedcba9876543210";

    @TempDir
    static Path dir;

    private static Map<String, String> security;

    @BeforeAll
    static void keys() {
        Path keys = GatewayUnderTest.keysFile(
                dir,
                List.of(
                        ApiKeyStore.entry(KEY, "edge", EnumSet.allOf(Role.class)),
                        ApiKeyStore.entry(OTHER_KEY, "other", Set.of(Role.READER))));
        security = Map.of("LOOPLINE_API_KEYS_FILE", keys.toString());
    }

    private static GatewayUnderTest gatewayWith(Map<String, String> limits) {
        Map<String, String> env = new HashMap<>(security);
        env.putAll(limits);
        return GatewayUnderTest.start(env);
    }

    @Test
    void shouldAnswerAPreflightFromAListedOriginWithoutCredentials() {
        try (GatewayUnderTest gateway = gatewayWith(Map.of("LOOPLINE_HTTP_CORS_ORIGINS", ORIGIN))) {
            HttpResponse<String> response = preflight(gateway, ORIGIN, "POST", "authorization, content-type");

            assertThat(response.statusCode()).isEqualTo(204);
            assertThat(response.headers().firstValue("Access-Control-Allow-Origin"))
                    .hasValue(ORIGIN);
            assertThat(response.headers().firstValue("Access-Control-Allow-Methods"))
                    .hasValue("GET, POST, DELETE");
            assertThat(response.headers().firstValue("Access-Control-Allow-Headers"))
                    .hasValue("Authorization, Content-Type, X-Api-Key");
            assertThat(response.headers().firstValue("Vary")).hasValue("Origin");
        }
    }

    @Test
    void shouldRefuseAPreflightFromAnotherOriginForAnotherMethodOrHeaderAndWhenCorsIsOff() {
        try (GatewayUnderTest gateway = gatewayWith(Map.of("LOOPLINE_HTTP_CORS_ORIGINS", ORIGIN))) {
            for (HttpResponse<String> refused : List.of(
                    preflight(gateway, "https://evil.example", "POST", "content-type"),
                    preflight(gateway, ORIGIN, "PUT", ""),
                    preflight(gateway, ORIGIN, "POST", "x-forwarded-for"))) {
                assertThat(refused.statusCode()).isEqualTo(403);
                assertThat(refused.headers().firstValue("Content-Type")).hasValue("application/problem+json");
                assertThat(refused.headers().firstValue("Access-Control-Allow-Methods"))
                        .isEmpty();
            }
        }
        try (GatewayUnderTest gateway = gatewayWith(Map.of())) {
            HttpResponse<String> refused = preflight(gateway, ORIGIN, "GET", "");

            assertThat(refused.statusCode()).isEqualTo(403);
            assertThat(refused.body()).contains("cross-origin calls are off");
            assertThat(refused.headers().firstValue("Access-Control-Allow-Origin"))
                    .isEmpty();
        }
    }

    @Test
    void shouldLetOnlyAListedOriginReadAnAnswer() {
        try (GatewayUnderTest gateway = gatewayWith(Map.of("LOOPLINE_HTTP_CORS_ORIGINS", ORIGIN))) {
            HttpResponse<String> listed = get(gateway, "/v1/instances/counts", Map.of("Origin", ORIGIN));
            HttpResponse<String> other = get(gateway, "/v1/instances/counts", Map.of("Origin", "https://evil.example"));

            assertThat(listed.statusCode()).isEqualTo(200);
            assertThat(listed.headers().firstValue("Access-Control-Allow-Origin"))
                    .hasValue(ORIGIN);
            assertThat(other.statusCode()).isEqualTo(200);
            assertThat(other.headers().firstValue("Access-Control-Allow-Origin"))
                    .isEmpty();
        }
    }

    @Test
    void shouldAnswerAnUnforeseenFailureWith500AndAProblemThatSaysNothingOfTheCode() {
        try (GatewayUnderTest gateway = gatewayWith(Map.of())) {
            gateway.stores().breakWith(new IllegalStateException("rocksdb handle 0x7f00 closed in ReadModel"));

            HttpResponse<String> answer =
                    gateway.get("/v1/instances?definitionId=orders", GatewayUnderTest.bearer(KEY));

            assertThat(answer.statusCode()).isEqualTo(500);
            assertThat(answer.headers().firstValue("Content-Type")).hasValue("application/problem+json");
            assertThat(answer.body())
                    .contains("\"type\":\"/problems/internal\"", "\"status\":500")
                    .doesNotContain("IllegalStateException", "rocksdb", "ReadModel", "at dev.loopline");
        }
    }

    @Test
    void shouldAnswerOptionsWithTheMethodsOfThePathForAnAuthenticatedCaller() {
        try (GatewayUnderTest gateway = gatewayWith(Map.of())) {
            assertThat(options(gateway, "/v1/instances/i-1", Map.of()).statusCode())
                    .isEqualTo(401);

            HttpResponse<String> instance = options(gateway, "/v1/instances/i-1", withKey(KEY));
            HttpResponse<String> action = options(gateway, "/v1/instances/i-1/cancel", withKey(KEY));
            HttpResponse<String> unknown = options(gateway, "/v1/nothing", withKey(KEY));

            assertThat(instance.statusCode()).isEqualTo(204);
            assertThat(instance.headers().firstValue("Allow")).hasValue("OPTIONS, DELETE, GET");
            assertThat(action.headers().firstValue("Allow")).hasValue("OPTIONS, POST");
            assertThat(unknown.statusCode()).isEqualTo(404);
            assertThat(unknown.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        }
    }

    @Test
    void shouldAnswer429WithRetryAfterToAPrincipalOverItsRateAndNotToOthers() {
        try (GatewayUnderTest gateway = gatewayWith(Map.of("LOOPLINE_HTTP_RATE_LIMIT", "2"))) {
            List<HttpResponse<String>> burst = IntStream.range(0, 20)
                    .mapToObj(i -> get(gateway, "/v1/instances/counts", withKey(KEY)))
                    .toList();
            HttpResponse<String> other = get(gateway, "/v1/instances/counts", withKey(OTHER_KEY));

            HttpResponse<String> limited = burst.stream()
                    .filter(response -> response.statusCode() == 429)
                    .findFirst()
                    .orElseThrow(() -> new AssertionError("20 requests at once, none over a rate of 2 per second"));
            assertThat(burst.get(0).statusCode()).isEqualTo(200);
            assertThat(limited.headers().firstValue("Retry-After")).hasValue("1");
            assertThat(limited.headers().firstValue("Content-Type")).hasValue("application/problem+json");
            assertThat(limited.body()).contains("\"status\":429");
            assertThat(other.statusCode()).isEqualTo(200);
        }
    }

    @Test
    void shouldAnswer408ToABodyThatDoesNotArriveByTheDeadline() throws IOException {
        try (GatewayUnderTest gateway = gatewayWith(Map.of("LOOPLINE_HTTP_BODY_DEADLINE", "PT1S"));
                Socket slow = partialPost(gateway)) {
            long started = System.nanoTime();

            String answer = readAnswer(slow);

            assertThat(answer).startsWith("HTTP/1.1 408");
            assertThat(answer).contains("application/problem+json").contains("LOOPLINE_HTTP_BODY_DEADLINE");
            System.out.printf(
                    "a body stalled after 10 of 100 bytes was answered 408 after %d ms (deadline 1,000 ms)%n",
                    (System.nanoTime() - started) / 1_000_000);
        }
    }

    @Test
    void shouldAnswer503WithRetryAfterWhenEveryTurnIsTakenAndServeAgainWhenOneIsFree() {
        Map<String, String> limits = Map.of(
                "LOOPLINE_HTTP_MAX_IN_FLIGHT", "1",
                "LOOPLINE_HTTP_QUEUE_TIMEOUT", "PT0.05S");
        try (GatewayUnderTest gateway = gatewayWith(limits)) {
            // each event holds the only turn for about 200 ms: the producer waits that long for a broker
            List<HttpResponse<String>> burst =
                    IntStream.range(0, 8).mapToObj(i -> gateway.sendAsync(event(gateway, i))).toList().stream()
                            .map(CompletableFuture::join)
                            .toList();

            HttpResponse<String> busy = burst.stream()
                    .filter(response -> response.body().contains("/problems/busy"))
                    .findFirst()
                    .orElseThrow(() -> new AssertionError("8 requests at once with 1 turn, none refused: "
                            + burst.stream().map(HttpResponse::body).toList()));
            assertThat(busy.statusCode()).isEqualTo(503);
            assertThat(busy.headers().firstValue("Retry-After")).hasValue("1");
            assertThat(busy.headers().firstValue("Content-Type")).hasValue("application/problem+json");
            assertThat(get(gateway, "/v1/instances/counts", withKey(KEY)).statusCode())
                    .isEqualTo(200);
        }
    }

    @Test
    void shouldReadSlowBodiesWithoutHoldingATurnOrAThread() throws IOException {
        Map<String, String> limits = Map.of(
                "LOOPLINE_HTTP_MAX_IN_FLIGHT", "1",
                "LOOPLINE_HTTP_QUEUE_TIMEOUT", "PT0.05S",
                "LOOPLINE_HTTP_BODY_DEADLINE", "PT30S");
        List<Socket> slow = new ArrayList<>();
        try (GatewayUnderTest gateway = gatewayWith(limits)) {
            // more than Jetty's 250 threads, each body stalled after 10 of 100 bytes
            for (int i = 0; i < SLOW_CLIENTS; i++) {
                slow.add(partialPost(gateway));
            }
            long started = System.nanoTime();

            HttpResponse<String> served = get(gateway, "/v1/instances/counts", withKey(KEY));

            assertThat(served.statusCode()).isEqualTo(200);
            assertThat(slow).allMatch(Socket::isConnected);
            System.out.printf(
                    "with %d bodies trickling and one turn, a query was answered in %d ms%n",
                    SLOW_CLIENTS, (System.nanoTime() - started) / 1_000_000);
        } finally {
            for (Socket socket : slow) {
                socket.close();
            }
        }
    }

    private static final int SLOW_CLIENTS = 300;

    private static HttpRequest event(GatewayUnderTest gateway, int i) {
        return HttpRequest.newBuilder(URI.create(gateway.base() + "/v1/events"))
                .header("X-Api-Key", KEY)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"source\":\"erp\",\"entityType\":\"invoice\","
                        + "\"entityId\":\"i-" + i + "\",\"messageName\":\"Create\"}"))
                .build();
    }

    @Test
    void shouldAnswer413ToADefinitionLargerThanTheLimit() {
        try (GatewayUnderTest gateway = gatewayWith(Map.of())) {
            String document = "{\"id\":\"big\",\"name\":\"big\",\"description\":\""
                    + "x".repeat(DefinitionLimits.MAX_DOCUMENT_BYTES) + "\"}";

            HttpResponse<String> response = gateway.call("POST", "/v1/definitions", document, withKey(KEY));

            assertThat(response.statusCode()).isEqualTo(413);
            assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        }
    }

    private static Map<String, String> withKey(String key) {
        return Map.of("X-Api-Key", key);
    }

    private static HttpResponse<String> get(GatewayUnderTest gateway, String path, Map<String, String> headers) {
        Map<String, String> all = new HashMap<>(headers);
        if (!headers.containsKey("X-Api-Key")) {
            all.put("X-Api-Key", KEY);
        }
        return gateway.get(path, all);
    }

    private static HttpResponse<String> options(GatewayUnderTest gateway, String path, Map<String, String> headers) {
        return gateway.call("OPTIONS", path, null, headers);
    }

    private static HttpResponse<String> preflight(
            GatewayUnderTest gateway, String origin, String method, String headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(gateway.base() + "/v1/events"))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", origin)
                .header("Access-Control-Request-Method", method);
        if (!headers.isEmpty()) {
            request.header("Access-Control-Request-Headers", headers);
        }
        return gateway.send(request.build());
    }

    /** A POST that promises 100 bytes of body and sends 10: the server waits for the rest. */
    private static Socket partialPost(GatewayUnderTest gateway) throws IOException {
        URI base = URI.create(gateway.base());
        Socket socket = new Socket(base.getHost(), base.getPort());
        socket.setSoTimeout(60_000); // a guard for a broken server, never reached when it works
        OutputStream out = socket.getOutputStream();
        out.write(("POST /v1/events HTTP/1.1\r\nHost: " + base.getHost() + "\r\nX-Api-Key: " + KEY
                        + "\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"source\":")
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return socket;
    }

    private static String readAnswer(Socket socket) throws IOException {
        InputStream in = socket.getInputStream();
        byte[] buffer = new byte[8192];
        StringBuilder answer = new StringBuilder();
        int read;
        while ((read = in.read(buffer)) > 0) {
            answer.append(new String(buffer, 0, read, StandardCharsets.UTF_8));
            if (answer.indexOf("\r\n\r\n") > 0 && answer.indexOf("}") > 0) {
                break;
            }
        }
        return answer.toString();
    }
}
