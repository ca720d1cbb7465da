package dev.loopline.gateway.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loopline.api.security.ApiKeyStore;
import dev.loopline.api.security.Role;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Ten thousand malformed requests, generated, each from a caller with every role: none may be
 * answered 5xx, none may be accepted (2xx), and every answer must be an RFC 9457 problem. The
 * requests are valid ones broken one way each: a required field dropped, a field of the wrong type,
 * a duplicate key, a truncated or trailing-garbage body, a lone surrogate, an instant out of range,
 * a wrong content type, an unknown query parameter, or random text. The Kafka clients point at a
 * closed port (see {@link GatewayUnderTest}), so a request that got past validation would show as
 * 503 and fail the property.
 */
class HttpFuzzTest {

    private static final String KEY = ApiKeyStore.newKey();
    private static final AtomicInteger SENT = new AtomicInteger();
    private static GatewayUnderTest gateway;
    private static Path keys;

    private static final String EVENT = "{\"eventId\":\"e-1\",\"source\":\"erp\",\"entityType\":\"expense_report\","
            + "\"entityId\":\"ER-1\",\"messageName\":\"Submitted\",\"attributes\":{\"amount\":12},"
            + "\"occurredAt\":\"2026-11-21T10:15:30Z\"}";
    private static final String DEFINITION = "{\"id\":\"d-1\",\"name\":\"d\",\"trigger\":{\"entityType\":\"a\","
            + "\"messageName\":\"Create\"},\"steps\":[{\"name\":\"s\",\"kind\":\"send-message\",\"messageName\":\"M\"}]}";
    private static final String BULK = "{\"filter\":{\"definitionId\":\"d-1\"},\"note\":\"n\"}";
    private static final String POSTPONE = "{\"until\":\"2030-01-01T00:00:00Z\",\"note\":\"n\"}";

    /** A route and a valid body for it; each case breaks the body (or the request) one way. */
    private record Route(String path, String body, List<String> required) {}

    private static final List<Route> ROUTES = List.of(
            new Route("/v1/events", EVENT, List.of("source", "entityType", "entityId", "messageName")),
            new Route("/v1/definitions", DEFINITION, List.of("id", "trigger", "steps")),
            new Route("/v1/instances/actions/cancel", BULK, List.of("filter")),
            new Route("/v1/instances/i-1/postpone", POSTPONE, List.of("until")));

    @BeforeContainer
    static void start() throws IOException {
        keys = Files.createTempFile("loopline-fuzz-keys-", ".json");
        Files.writeString(keys, "[" + ApiKeyStore.entry(KEY, "fuzz", EnumSet.allOf(Role.class)) + "]");
        gateway = GatewayUnderTest.start(Map.of("LOOPLINE_API_KEYS_FILE", keys.toString()));
    }

    @AfterContainer
    static void stop() throws IOException {
        gateway.close();
        Files.deleteIfExists(keys);
        System.out.printf("HttpFuzzTest: %d malformed requests sent%n", SENT.get());
    }

    @Property(tries = 10_000)
    void shouldRefuseEveryMalformedRequestWithA4xxProblem(@ForAll("malformed") Request request) {
        HttpResponse<String> response = send(request);
        SENT.incrementAndGet();

        assertThat(response.statusCode())
                .as("%s → %s", request, response.body())
                .isBetween(400, 499);
        assertThat(response.headers().firstValue("Content-Type"))
                .as("%s → %s", request, response.body())
                .hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
    }

    record Request(String method, String path, String contentType, byte[] body) {
        @Override
        public String toString() {
            String text = new String(body, StandardCharsets.UTF_8);
            return method + " " + path + " [" + contentType + "] " + text.substring(0, Math.min(text.length(), 300));
        }
    }

    @Provide
    Arbitrary<Request> malformed() {
        return Arbitraries.oneOf(brokenBodies(), wrongContentTypes(), badQueries(), randomBodies());
    }

    private Arbitrary<Request> brokenBodies() {
        Arbitrary<Route> routes = Arbitraries.of(ROUTES);
        return routes.flatMap(route -> breakings(route).map(body -> post(route.path(), body)));
    }

    /** The route's valid body broken one way. */
    private Arbitrary<String> breakings(Route route) {
        String body = route.body();
        Arbitrary<String> dropped = Arbitraries.of(route.required())
                .map(field -> body.replaceFirst("\"" + field + "\":(\"[^\"]*\"|\\{[^}]*\\}|\\[[^\\]]*\\]),?", ""));
        Arbitrary<String> wrongType = Combinators.combine(
                        Arbitraries.of(route.required()),
                        Arbitraries.of("12", "[]", "[1,2]", "true", "null", "{\"x\":1}"))
                .as((field, value) -> body.replaceFirst(
                        "\"" + field + "\":(\"[^\"]*\"|\\{[^}]*\\}|\\[[^\\]]*\\])", "\"" + field + "\":" + value));
        Arbitrary<String> duplicated =
                Arbitraries.of(route.required()).map(field -> "{\"" + field + "\":\"x\"," + body.substring(1));
        Arbitrary<String> truncated =
                Arbitraries.integers().between(1, body.length() - 1).map(cut -> body.substring(0, cut));
        Arbitrary<String> trailing = Arbitraries.strings()
                .ofMinLength(1)
                .ofMaxLength(20)
                .filter(tail -> !tail.isBlank())
                .map(tail -> body + tail);
        Arbitrary<String> surrogate = Arbitraries.of("\\ud800", "\\udfff", "\\udc00x")
                .map(lone -> body.replaceFirst(":\"", Matcher.quoteReplacement(":\"" + lone)));
        Arbitrary<String> notAnObject =
                Arbitraries.of("[" + body + "]", "\"" + body.replace("\"", "'") + "\"", "42", "null");
        return Arbitraries.oneOf(dropped, wrongType, duplicated, truncated, trailing, surrogate, notAnObject);
    }

    private Arbitrary<Request> wrongContentTypes() {
        return Combinators.combine(
                        Arbitraries.of(ROUTES),
                        Arbitraries.of(
                                "text/plain", "application/x-www-form-urlencoded", "text/json", "application/xml"))
                .as((route, type) ->
                        new Request("POST", route.path(), type, route.body().getBytes(StandardCharsets.UTF_8)));
    }

    private Arbitrary<Request> badQueries() {
        Arbitrary<String> names = Arbitraries.strings()
                .alpha()
                .ofMinLength(1)
                .ofMaxLength(12)
                .filter(name -> !List.of(
                                "definitionId", "state", "statusCode", "entityId", "from", "to", "limit", "after")
                        .contains(name));
        Arbitrary<String> unknown = names.map(name -> name + "=1");
        Arbitrary<String> badValues = Arbitraries.of("state=", "statusCode=", "from=", "to=", "limit=")
                .flatMap(param -> Arbitraries.strings()
                        .alpha()
                        .ofMinLength(1)
                        .ofMaxLength(10)
                        .map(v -> param + "x" + v));
        return Arbitraries.oneOf(unknown, badValues)
                .map(query -> new Request("GET", "/v1/instances?" + query, null, new byte[0]));
    }

    private Arbitrary<Request> randomBodies() {
        return Combinators.combine(Arbitraries.of(ROUTES), Arbitraries.strings().ofMaxLength(200))
                .as((route, text) -> post(route.path(), text))
                .filter(request -> request.body().length > 0);
    }

    private static Request post(String path, String body) {
        return new Request("POST", path, "application/json", body.getBytes(StandardCharsets.UTF_8));
    }

    private static HttpResponse<String> send(Request request) {
        String base = gateway.base();
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(base + encodeQuery(request.path())))
                .header("Authorization", "Bearer " + KEY)
                .method(request.method(), HttpRequest.BodyPublishers.ofByteArray(request.body()));
        if (request.contentType() != null) {
            builder.header("Content-Type", request.contentType());
        }
        return gateway.send(builder.build());
    }

    private static String encodeQuery(String path) {
        int question = path.indexOf('?');
        if (question < 0) {
            return path;
        }
        String[] pair = path.substring(question + 1).split("=", 2);
        return path.substring(0, question + 1) + URLEncoder.encode(pair[0], StandardCharsets.UTF_8) + "="
                + URLEncoder.encode(pair.length > 1 ? pair[1] : "", StandardCharsets.UTF_8);
    }
}
