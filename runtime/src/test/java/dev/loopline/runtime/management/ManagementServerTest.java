package dev.loopline.runtime.management;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loopline.api.security.ApiKeyStore;
import dev.loopline.api.security.Role;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ManagementServerTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String MONITOR = ApiKeyStore.newKey();
    private static final String READER = ApiKeyStore.newKey();
    private static final String PUBLISHER = ApiKeyStore.newKey();

    private final HttpClient http = HttpClient.newHttpClient();
    private ManagementServer server;
    private boolean ready;

    @BeforeEach
    void start(@TempDir Path dir) throws Exception {
        Path keys = Files.writeString(
                dir.resolve("keys.json"),
                "[" + ApiKeyStore.entry(MONITOR, "prometheus", Set.of(Role.MONITOR)) + ","
                        + ApiKeyStore.entry(READER, "dashboard", Set.of(Role.READER)) + ","
                        + ApiKeyStore.entry(PUBLISHER, "erp", Set.of(Role.PUBLISHER)) + "]");
        server = ManagementServer.start(
                "127.0.0.1",
                0,
                Optional.of(ApiKeyStore.load(keys)),
                () -> "# TYPE up gauge\nup 1\n",
                () -> ManagementServer.Answer.json(200, Map.of("status", "UP")),
                () -> ManagementServer.Answer.json(ready ? 200 : 503, Map.of("status", ready ? "UP" : "DOWN")));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void shouldServeMetricsToTheMonitorAndHealthToTheReaderToo() throws Exception {
        HttpResponse<String> metrics = get("/metrics", Map.of("Authorization", "Bearer " + MONITOR));
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.headers().firstValue("Content-Type"))
                .hasValueSatisfying(type -> assertThat(type).startsWith("text/plain"));
        assertThat(metrics.body()).contains("up 1");

        assertThat(get("/health/live", Map.of("X-Api-Key", READER)).statusCode())
                .isEqualTo(200);
        assertThat(get("/health/ready", Map.of("X-Api-Key", MONITOR)).statusCode())
                .isEqualTo(503);
        ready = true;
        assertThat(get("/health/ready", Map.of("X-Api-Key", MONITOR)).statusCode())
                .isEqualTo(200);
    }

    @Test
    void shouldRefuseWithProblems() throws Exception {
        assertProblem(get("/metrics", Map.of()), 401);
        assertProblem(get("/metrics", Map.of("Authorization", "Bearer " + ApiKeyStore.newKey())), 401);
        assertProblem(get("/nothing", Map.of()), 401); // the route map is not shown to strangers
        assertProblem(get("/metrics", Map.of("X-Api-Key", READER)), 403);
        assertProblem(get("/health/ready", Map.of("X-Api-Key", PUBLISHER)), 403);
        assertProblem(get("/nothing", Map.of("X-Api-Key", MONITOR)), 404);

        HttpResponse<String> post = http.send(
                HttpRequest.newBuilder(uri("/metrics"))
                        .header("X-Api-Key", MONITOR)
                        .POST(HttpRequest.BodyPublishers.ofString("{}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertProblem(post, 405);
        assertThat(post.headers().firstValue("Allow")).hasValue("GET");
    }

    private HttpResponse<String> get(String path, Map<String, String> headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).GET();
        headers.forEach(request::header);
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.port() + path);
    }

    private static void assertProblem(HttpResponse<String> response, int status) throws Exception {
        assertThat(response.statusCode()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.path("status").asInt()).isEqualTo(status);
        assertThat(body.path("type").asText()).startsWith("/problems/");
        assertThat(body.path("detail").asText()).isNotBlank();
        if (status == 401) {
            assertThat(response.headers().firstValue("WWW-Authenticate"))
                    .hasValueSatisfying(value -> assertThat(value).startsWith("Bearer"));
        }
    }
}
