package dev.loopline.gateway.security;

import static dev.loopline.gateway.security.GatewayUnderTest.bearer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.loopline.api.security.ApiKeyStore;
import dev.loopline.api.security.Role;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GatewaySecurityTest {

    @TempDir
    Path dir;

    @Test
    void shouldRefuseToStartWithNeitherKeysNorJwksUnlessAuthenticationIsDisabled() {
        assertThatThrownBy(() -> GatewaySecurity.from(SecurityConfig.from(Map.of())))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("LOOPLINE_API_KEYS_FILE")
                .hasMessageContaining("LOOPLINE_JWT_JWKS_URL");
        assertThatThrownBy(() -> SecurityConfig.from(Map.of("LOOPLINE_AUTH_DISABLED", "yes")))
                .hasMessageContaining("true or false");
    }

    @Test
    void shouldRefuseAJwksWithoutIssuerAndAudience() throws Exception {
        Path jwks = Files.writeString(dir.resolve("jwks.json"), "{\"keys\":[]}");

        assertThatThrownBy(() ->
                        GatewaySecurity.from(SecurityConfig.from(Map.of("LOOPLINE_JWT_JWKS_FILE", jwks.toString()))))
                .hasMessageContaining("LOOPLINE_JWT_ISSUER and LOOPLINE_JWT_AUDIENCE are required");
    }

    @Test
    void shouldLetEveryoneDoEverythingAsAnonymousOnlyWhenDisabledExplicitly() {
        try (GatewayUnderTest gateway = GatewayUnderTest.start(Map.of("LOOPLINE_AUTH_DISABLED", "true"))) {
            assertThat(gateway.get("/v1/instances", Map.of()).statusCode()).isEqualTo(200);
            assertThat(gateway.call("POST", "/v1/definitions", "{}", Map.of()).statusCode())
                    .isEqualTo(400);
        }
    }

    @Test
    void shouldRefuseALimitedPublisherEventsOfOtherSourcesAndEntityTypes() {
        String key = ApiKeyStore.newKey();
        Path keys = GatewayUnderTest.keysFile(
                dir,
                List.of("{\"principal\":\"erp-bridge\",\"sha256\":\"" + ApiKeyStore.hash(key)
                        + "\",\"roles\":[\"publisher\"],\"sources\":[\"erp\"],\"entityTypes\":[\"expense_report\"]}"));
        try (GatewayUnderTest gateway = GatewayUnderTest.start(Map.of("LOOPLINE_API_KEYS_FILE", keys.toString()))) {
            var crm = gateway.call("POST", "/v1/events", event("crm", "expense_report"), bearer(key));
            var otherType = gateway.call("POST", "/v1/events", event("erp", "invoice"), bearer(key));
            // allowed: it reaches the producer, which has no broker here and answers 503
            var allowed = gateway.call("POST", "/v1/events", event("erp", "expense_report"), bearer(key));

            assertThat(crm.statusCode()).isEqualTo(403);
            assertThat(crm.body()).contains("erp-bridge may not publish events of source crm");
            assertThat(otherType.statusCode()).isEqualTo(403);
            assertThat(allowed.statusCode()).isEqualTo(503);
        }
    }

    @Test
    void shouldReadHashedKeysAndNameTheBadEntry() throws Exception {
        String key = ApiKeyStore.newKey();
        Path good = GatewayUnderTest.keysFile(dir, List.of(ApiKeyStore.entry(key, "ops", Set.of(Role.OPERATOR))));
        ApiKeyStore store = ApiKeyStore.load(good);

        assertThat(Files.readString(good)).doesNotContain(key).contains(ApiKeyStore.hash(key));
        assertThat(store.authenticate(key)).hasValueSatisfying(principal -> {
            assertThat(principal.name()).isEqualTo("ops");
            assertThat(principal.roles()).containsExactly(Role.OPERATOR);
        });
        assertThat(store.authenticate(key + "x")).isEmpty();

        Path unknownRole = Files.writeString(
                dir.resolve("bad-role.json"),
                "[{\"principal\":\"p\",\"sha256\":\"" + ApiKeyStore.hash(key) + "\",\"roles\":[\"root\"]}]");
        assertThatThrownBy(() -> ApiKeyStore.load(unknownRole)).hasMessageContaining("[0]: unknown role root");
        Path plainKey =
                Files.writeString(dir.resolve("plain.json"), "[{\"principal\":\"p\",\"sha256\":\"" + key + "\"}]");
        assertThatThrownBy(() -> ApiKeyStore.load(plainKey)).hasMessageContaining("64 hex digits");
    }

    private static String event(String source, String entityType) {
        return """
                {"source":"%s","entityType":"%s","entityId":"e-1","messageName":"Submitted"}""".formatted(source, entityType);
    }
}
