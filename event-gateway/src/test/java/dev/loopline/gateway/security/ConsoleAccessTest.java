package dev.loopline.gateway.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loopline.api.security.ApiKeyStore;
import dev.loopline.api.security.Role;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The console's callers are browsers: they send the key as HTTP Basic's password, which the
 * gateway takes for the console's files and for requests that carry the console's header, and for
 * nothing else (a page of another site cannot send that header).
 */
class ConsoleAccessTest {

    private static final String OPERATOR = ApiKeyStore.newKey();
    private static GatewayUnderTest gateway;

    @BeforeAll
    static void start(@TempDir Path dir) {
        Path keys = GatewayUnderTest.keysFile(
                dir, List.of(ApiKeyStore.entry(OPERATOR, "olga", Set.of(Role.OPERATOR, Role.READER))));
        gateway = GatewayUnderTest.start(Map.of("LOOPLINE_API_KEYS_FILE", keys.toString()));
    }

    @AfterAll
    static void stop() {
        gateway.close();
    }

    private static Map<String, String> basic(String key) {
        return Map.of(
                "Authorization",
                "Basic " + Base64.getEncoder().encodeToString(("console:" + key).getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void shouldAskBrowsersForTheKeyAndServeTheConsoleWithIt() {
        HttpResponse<String> asked = gateway.get("/console/", Map.of());
        assertThat(asked.statusCode()).isEqualTo(401);
        assertThat(asked.headers().firstValue("WWW-Authenticate"))
                .hasValue("Basic realm=\"loopline\", charset=\"UTF-8\"");

        HttpResponse<String> page = gateway.get("/console/", basic(OPERATOR));
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type"))
                .hasValueSatisfying(t -> assertThat(t).startsWith("text/html"));
        assertThat(page.headers().firstValue("Content-Security-Policy"))
                .hasValueSatisfying(csp -> assertThat(csp).contains("default-src 'self'", "frame-ancestors 'none'"));
        assertThat(page.body()).contains("<div id=\"app\"></div>", "/console/assets/");
        assertThat(gateway.get("/console", basic(OPERATOR)).body()).isEqualTo(page.body());
    }

    @Test
    void shouldTakeTheBrowsersCredentialsForTheApiOnlyWithTheConsolesHeader() {
        Map<String, String> console = new java.util.HashMap<>(basic(OPERATOR));
        console.put("X-Requested-With", "loopline-console");

        HttpResponse<String> me = gateway.get("/v1/me", console);
        assertThat(me.statusCode()).isEqualTo(200);
        assertThat(me.body()).contains("\"principal\":\"olga\"", "\"roles\":[\"operator\",\"reader\"]");

        HttpResponse<String> elsewhere = gateway.get("/v1/me", basic(OPERATOR));
        assertThat(elsewhere.statusCode()).isEqualTo(401);
        assertThat(elsewhere.headers().firstValue("WWW-Authenticate"))
                .hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
        assertThat(gateway.get("/v1/me", basic(ApiKeyStore.newKey())).statusCode())
                .isEqualTo(401);
    }

    @Test
    void shouldServeOnlyTheConsolesOwnFiles() {
        for (String path : List.of(
                "/console/../application.properties",
                "/console/%2e%2e/%2e%2e/etc/passwd",
                "/console/nothing.html",
                "/console/dev/loopline/definition/definition.schema.json")) {
            HttpResponse<String> response = gateway.get(path, basic(OPERATOR));
            assertThat(response.statusCode()).as(path).isIn(400, 404);
            assertThat(response.body()).as(path).doesNotContain("root:", "\"$schema\"");
        }
    }
}
