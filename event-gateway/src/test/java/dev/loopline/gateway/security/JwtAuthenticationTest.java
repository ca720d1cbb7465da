package dev.loopline.gateway.security;

import static dev.loopline.gateway.security.GatewayUnderTest.bearer;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bearer JWTs checked against a local JWKS (a file, and once a tiny HTTP server): only a token
 * signed by a key of the set, for this issuer and audience and not expired, gets in.
 */
class JwtAuthenticationTest {

    private static final String ISSUER = "https://idp.example.test/realms/loopline";
    private static final String AUDIENCE = "loopline-gateway";

    private static RSAKey signingKey;
    private static RSAKey otherKey;
    private static GatewayUnderTest gateway;

    @BeforeAll
    static void start(@TempDir Path dir) throws Exception {
        signingKey = new RSAKeyGenerator(2048).keyID("k1").generate();
        otherKey = new RSAKeyGenerator(2048).keyID("k1").generate(); // same key id, different key
        Path jwks = Files.writeString(dir.resolve("jwks.json"), new JWKSet(signingKey.toPublicJWK()).toString());
        gateway = GatewayUnderTest.start(settings("LOOPLINE_JWT_JWKS_FILE", jwks.toString()));
    }

    @AfterAll
    static void stop() {
        gateway.close();
    }

    @Test
    void shouldAcceptAValidTokenWithTheRolesOfItsClaim() throws Exception {
        String token = sign(signingKey, claims(c -> {}));

        assertThat(gateway.get("/v1/instances", bearer(token)).statusCode()).isEqualTo(200);
        // the token's only role is reader
        assertThat(gateway.call("POST", "/v1/definitions", "{}", bearer(token)).statusCode())
                .isEqualTo(403);
    }

    @Test
    void shouldLimitAPublisherToTheSourcesAndEntityTypesOfItsClaims() throws Exception {
        String token = sign(
                signingKey,
                claims(c -> c.claim("roles", List.of("publisher"))
                        .claim(JwtAuthenticator.SOURCES_CLAIM, List.of("crm"))
                        .claim(JwtAuthenticator.ENTITY_TYPES_CLAIM, "account contact")));

        assertThat(publish(token, "erp", "account").statusCode()).isEqualTo(403);
        assertThat(publish(token, "crm", "invoice").statusCode()).isEqualTo(403);
        // allowed: past authorisation, the producer finds no broker here
        assertThat(publish(token, "crm", "contact").statusCode()).isEqualTo(503);
    }

    private static java.net.http.HttpResponse<String> publish(String token, String source, String entityType) {
        return gateway.call(
                "POST",
                "/v1/events",
                "{\"source\":\"" + source + "\",\"entityType\":\"" + entityType
                        + "\",\"entityId\":\"e-1\",\"messageName\":\"Create\"}",
                bearer(token));
    }

    @Test
    void shouldRefuseExpiredWrongAudienceWrongIssuerForgedUnsignedAndMalformedTokens() throws Exception {
        Map<String, String> refused = Map.of(
                "expired",
                sign(
                        signingKey,
                        claims(c -> c.expirationTime(Date.from(Instant.now().minus(Duration.ofMinutes(10)))))),
                "wrong audience",
                sign(signingKey, claims(c -> c.audience("another-application"))),
                "wrong issuer",
                sign(signingKey, claims(c -> c.issuer("https://idp.example.test/realms/other"))),
                "forged",
                sign(otherKey, claims(c -> {})),
                "alg none",
                new PlainJWT(claims(c -> {})).serialize(),
                "HMAC with the public key as secret",
                hmac(claims(c -> {})),
                "no subject",
                sign(signingKey, claims(c -> c.subject(null))),
                "malformed",
                "eyJhbGciOiJSUzI1NiJ9.not-base64!.x",
                "not a JWT",
                "just-some-text");
        refused.forEach((what, token) -> {
            var response = gateway.get("/v1/instances", bearer(token));
            assertThat(response.statusCode()).as(what).isEqualTo(401);
            assertThat(response.headers().firstValue("WWW-Authenticate"))
                    .as(what)
                    .isPresent();
            assertThat(response.body()).as(what).contains("\"status\":401");
        });
    }

    @Test
    void shouldFetchTheKeysFromAJwksAddressAndReadRolesFromANestedClaim() throws Exception {
        HttpServer idp = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        byte[] jwks = new JWKSet(signingKey.toPublicJWK()).toString().getBytes(StandardCharsets.UTF_8);
        idp.createContext("/jwks", exchange -> {
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, jwks.length);
            exchange.getResponseBody().write(jwks);
            exchange.close();
        });
        idp.start();
        Map<String, String> settings = new java.util.HashMap<>(settings(
                "LOOPLINE_JWT_JWKS_URL", "http://127.0.0.1:" + idp.getAddress().getPort() + "/jwks"));
        settings.put("LOOPLINE_JWT_ROLES_CLAIM", "realm_access.roles");
        try (GatewayUnderTest remote = GatewayUnderTest.start(settings)) {
            String token = sign(
                    signingKey,
                    claims(c -> c.claim("roles", null)
                            .claim("realm_access", Map.of("roles", List.of("administrator", "offline_access")))));

            assertThat(remote.get("/v1/definitions/nope", bearer(token)).statusCode())
                    .isEqualTo(404);
            assertThat(remote.get("/v1/instances", bearer(token)).statusCode()).isEqualTo(403);
        } finally {
            idp.stop(0);
        }
    }

    @Test
    void shouldAnswer503NotA401WhenTheJwksCannotBeFetched() throws Exception {
        int closed;
        try (var socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closed = socket.getLocalPort();
        }
        try (GatewayUnderTest unreachable =
                GatewayUnderTest.start(settings("LOOPLINE_JWT_JWKS_URL", "http://127.0.0.1:" + closed + "/jwks"))) {
            var response = unreachable.get("/v1/instances", bearer(sign(signingKey, claims(c -> {}))));

            assertThat(response.statusCode()).isEqualTo(503);
            assertThat(response.body()).contains("key set is unavailable");
        }
    }

    private static Map<String, String> settings(String jwksSetting, String jwks) {
        return Map.of(jwksSetting, jwks, "LOOPLINE_JWT_ISSUER", ISSUER, "LOOPLINE_JWT_AUDIENCE", AUDIENCE);
    }

    private static JWTClaimsSet claims(Consumer<JWTClaimsSet.Builder> change) {
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder()
                .issuer(ISSUER)
                .audience(List.of(AUDIENCE, "account"))
                .subject("alice")
                .issueTime(new Date())
                .expirationTime(Date.from(Instant.now().plus(Duration.ofMinutes(5))))
                .claim("roles", List.of("reader", "unrelated-role"));
        change.accept(claims);
        return claims.build();
    }

    private static String sign(RSAKey key, JWTClaimsSet claims) throws JOSEException {
        SignedJWT jwt = new SignedJWT(
                new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).build(), claims);
        jwt.sign(new RSASSASigner(key));
        return jwt.serialize();
    }

    private static String hmac(JWTClaimsSet claims) throws JOSEException {
        SignedJWT jwt = new SignedJWT(
                new JWSHeader.Builder(JWSAlgorithm.HS256).keyID("k1").build(), claims);
        byte[] secret = signingKey.toPublicJWK().toJSONString().getBytes(StandardCharsets.UTF_8);
        jwt.sign(new MACSigner(secret));
        return jwt.serialize();
    }
}
