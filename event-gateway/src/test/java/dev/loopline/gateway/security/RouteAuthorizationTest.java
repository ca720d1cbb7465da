package dev.loopline.gateway.security;

import static dev.loopline.gateway.security.GatewayUnderTest.bearer;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loopline.api.security.ApiKeyStore;
import dev.loopline.api.security.Role;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every route of {@link AccessRules}, called anonymously, with a wrong key and with a key of each
 * role: only the route's roles get past authorisation (the handler may still answer 4xx or 503 for
 * its own reasons, never 401 or 403); everyone else gets exactly 401 or 403 as a problem.
 */
class RouteAuthorizationTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * One request per route that its handler answers without a broker: an invalid body, an
     * unknown id, or a read of the empty projection.
     */
    private static final Map<String, Sample> SAMPLES = Map.ofEntries(
            sample("POST /v1/events", "POST", "/v1/events", "{}"),
            sample("POST /v1/definitions", "POST", "/v1/definitions", "{}"),
            sample("GET /v1/definitions", "GET", "/v1/definitions", null),
            sample("GET /v1/definitions/{id}", "GET", "/v1/definitions/nope", null),
            sample("GET /v1/definitions/{id}/versions/{version}", "GET", "/v1/definitions/nope/versions/1", null),
            sample("POST /v1/definitions/{id}/activate", "POST", "/v1/definitions/nope/activate", ""),
            sample("POST /v1/dialogs/{id}/sessions", "POST", "/v1/dialogs/nope/sessions", "{}"),
            sample("GET /v1/dialogs/sessions/{sessionId}", "GET", "/v1/dialogs/sessions/nope", ""),
            sample(
                    "POST /v1/dialogs/sessions/{sessionId}/responses",
                    "POST",
                    "/v1/dialogs/sessions/nope/responses",
                    "{\"page\":\"p\"}"),
            sample("GET /v1/work-items", "GET", "/v1/work-items?assignee=nobody", ""),
            sample("POST /v1/migrations", "POST", "/v1/migrations", "{}"),
            sample(
                    "POST /v1/work-items/{id}/complete",
                    "POST",
                    "/v1/work-items/nope/complete",
                    "{\"outcome\":\"Approve\"}"),
            sample(
                    "POST /v1/definitions/{id}/instances",
                    "POST",
                    "/v1/definitions/nope/instances",
                    "{\"entityId\":\"a-1\"}"),
            sample("POST /v1/definitions/{id}/deactivate", "POST", "/v1/definitions/nope/deactivate", ""),
            sample("GET /v1/instances", "GET", "/v1/instances", null),
            sample("GET /v1/instances/counts", "GET", "/v1/instances/counts", null),
            sample(
                    "POST /v1/instances/actions/{action}",
                    "POST",
                    "/v1/instances/actions/cancel",
                    "{\"filter\":{\"definitionId\":\"none\"}}"),
            sample("GET /v1/operations/{id}", "GET", "/v1/operations/nope", null),
            sample("GET /v1/dead-letters", "GET", "/v1/dead-letters", null),
            sample("POST /v1/dead-letters/{id}/replay", "POST", "/v1/dead-letters/0-0/replay", "{}"),
            sample("GET /v1/instances/{id}", "GET", "/v1/instances/nope", null),
            sample("GET /v1/messages/<messageId>", "GET", "/v1/messages/nope/step-0", null),
            sample("POST /v1/messages/<messageId>/ack", "POST", "/v1/messages/nope/step-0/attempt-1/ack", "{}"),
            sample("GET /v1/instances/{id}/transitions", "GET", "/v1/instances/nope/transitions", null),
            sample("POST /v1/instances/{id}/{action}", "POST", "/v1/instances/nope/postpone", "{}"),
            sample("DELETE /v1/instances/{id}", "DELETE", "/v1/instances/nope", "{\"until\":\"soon\"}"),
            sample("GET /v1/local/instances", "GET", "/v1/local/instances", null),
            sample("GET /v1/local/instances/counts", "GET", "/v1/local/instances/counts", null),
            sample("GET /health", "GET", "/health", null),
            sample("GET /health/ready", "GET", "/health/ready", null),
            sample("GET /health/live", "GET", "/health/live", null),
            sample("GET /metrics", "GET", "/metrics", null),
            sample("GET /v1/definitions/schema", "GET", "/v1/definitions/schema", null),
            sample("GET /v1/me", "GET", "/v1/me", null),
            sample("GET /console", "GET", "/console/", null),
            sample("GET /console/<path>", "GET", "/console/index.html", null));

    private static final Map<Role, String> KEYS = new EnumMap<>(Role.class);
    private static final String ALL_ROLES_KEY = ApiKeyStore.newKey();
    private static GatewayUnderTest gateway;

    record Sample(String method, String path, String body) {}

    @BeforeAll
    static void start(@TempDir Path dir) {
        List<String> entries = new ArrayList<>();
        for (Role role : Role.values()) {
            String key = ApiKeyStore.newKey();
            KEYS.put(role, key);
            entries.add(ApiKeyStore.entry(key, "only-" + role.id(), Set.of(role)));
        }
        entries.add(ApiKeyStore.entry(ALL_ROLES_KEY, "everything", EnumSet.allOf(Role.class)));
        Path keys = GatewayUnderTest.keysFile(dir, entries);
        gateway = GatewayUnderTest.start(Map.of("LOOPLINE_API_KEYS_FILE", keys.toString()));
    }

    @AfterAll
    static void stop() {
        gateway.close();
    }

    static Stream<Arguments> rules() {
        return AccessRules.RULES.stream().map(rule -> Arguments.of(rule.method().name() + " " + rule.path(), rule));
    }

    @Test
    void shouldHaveASampleRequestForEveryRouteOfTheTable() {
        assertThat(SAMPLES.keySet())
                .containsExactlyInAnyOrderElementsOf(AccessRules.RULES.stream()
                        .map(rule -> rule.method().name() + " " + rule.path())
                        .toList());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rules")
    void shouldAnswer401ToAnonymousAndInvalidCallers(String route, AccessRules.Rule rule) throws Exception {
        Sample sample = SAMPLES.get(route);
        for (Map<String, String> credentials : List.of(
                Map.<String, String>of(),
                bearer(ApiKeyStore.newKey()),
                Map.of("X-Api-Key", "not-a-key"),
                Map.of("Authorization", "Basic dXNlcjpwYXNz"))) {
            HttpResponse<String> response = gateway.call(sample.method(), sample.path(), sample.body(), credentials);

            assertThat(response.statusCode()).as(route + " " + credentials).isEqualTo(401);
            // the console's files challenge browsers for HTTP Basic; the API, for a bearer credential
            String scheme = sample.path().startsWith("/console") ? "Basic" : "Bearer";
            assertThat(response.headers().firstValue("WWW-Authenticate"))
                    .hasValueSatisfying(value -> assertThat(value).startsWith(scheme));
            assertProblem(response, 401);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rules")
    void shouldLetOnlyTheRoutesRolesPastAuthorisation(String route, AccessRules.Rule rule) throws Exception {
        Sample sample = SAMPLES.get(route);
        for (Role role : Role.values()) {
            for (Map<String, String> credentials :
                    List.of(bearer(KEYS.get(role)), Map.of("X-Api-Key", KEYS.get(role)))) {
                HttpResponse<String> response =
                        gateway.call(sample.method(), sample.path(), sample.body(), credentials);

                if (rule.roles().contains(role)) {
                    assertThat(response.statusCode())
                            .as("%s as %s: %s", route, role, response.body())
                            .isNotIn(401, 403)
                            .isBetween(200, 503);
                } else {
                    assertThat(response.statusCode())
                            .as("%s as %s", route, role)
                            .isEqualTo(403);
                    assertProblem(response, 403);
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rules")
    void shouldLetAKeyWithEveryRoleCallEveryRoute(String route, AccessRules.Rule rule) {
        Sample sample = SAMPLES.get(route);

        var response = gateway.call(sample.method(), sample.path(), sample.body(), bearer(ALL_ROLES_KEY));

        assertThat(response.statusCode()).as(route).isNotIn(401, 403);
    }

    @Test
    void shouldAnswerUnknownRoutesWith401BeforeAnd404AfterAuthentication() throws Exception {
        for (String path : List.of("/v1/nothing-here", "/", "/v2/events")) {
            HttpResponse<String> anonymous = gateway.get(path, Map.of());
            assertThat(anonymous.statusCode()).as(path).isEqualTo(401);
            assertProblem(anonymous, 401);

            HttpResponse<String> reader = gateway.get(path, bearer(KEYS.get(Role.READER)));
            assertThat(reader.statusCode()).as(path).isEqualTo(404);
            assertProblem(reader, 404);
        }
    }

    private static void assertProblem(HttpResponse<String> response, int status) throws Exception {
        assertThat(response.headers().firstValue("Content-Type"))
                .hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
        var body = JSON.readTree(response.body());
        assertThat(body.get("status").asInt()).isEqualTo(status);
        assertThat(body.get("title").asText()).isNotBlank();
        assertThat(response.body()).doesNotContain("Exception").doesNotContain("\tat ");
    }

    private static Map.Entry<String, Sample> sample(String route, String method, String path, String body) {
        return Map.entry(route, new Sample(method, path, body));
    }
}
