package dev.loopline.gateway.security;

import java.net.URI;
import java.nio.file.Path;
import java.util.Map;

/**
 * Who may call the gateway: the authentication settings, from environment variables. Each setting
 * is defined here once.
 *
 * <table>
 *   <tr><th>variable</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>LOOPLINE_AUTH_DISABLED</td><td>false</td><td>{@code true} switches authentication off:
 *       every caller is {@code anonymous} with every role (a WARN says so at start)</td></tr>
 *   <tr><td>LOOPLINE_API_KEYS_FILE</td><td>none</td><td>JSON file of API keys, stored as SHA-256
 *       hashes (see {@link ApiKeyStore})</td></tr>
 *   <tr><td>LOOPLINE_JWT_JWKS_URL</td><td>none</td><td>JWKS address of the OIDC provider whose
 *       bearer tokens are accepted</td></tr>
 *   <tr><td>LOOPLINE_JWT_JWKS_FILE</td><td>none</td><td>the same from a file (instead of the URL)</td></tr>
 *   <tr><td>LOOPLINE_JWT_ISSUER</td><td>none, required with a JWKS</td><td>the exact {@code iss} a token
 *       must carry</td></tr>
 *   <tr><td>LOOPLINE_JWT_AUDIENCE</td><td>none, required with a JWKS</td><td>an {@code aud} a token
 *       must carry</td></tr>
 *   <tr><td>LOOPLINE_JWT_ROLES_CLAIM</td><td>roles</td><td>the claim with the role names (a list or
 *       a space-separated string); dots walk into objects, e.g. {@code realm_access.roles}</td></tr>
 *   <tr><td>LOOPLINE_JWT_PRINCIPAL_CLAIM</td><td>sub</td><td>the claim that names the principal</td></tr>
 * </table>
 *
 * With authentication on, at least one of the keys file and a JWKS is required: a gateway that
 * could not authenticate anyone refuses to start rather than starting open.
 */
public record SecurityConfig(
        boolean authDisabled,
        Path apiKeysFile,
        URI jwksUrl,
        Path jwksFile,
        String jwtIssuer,
        String jwtAudience,
        String rolesClaim,
        String principalClaim) {

    public static SecurityConfig from(Map<String, String> env) {
        String disabled = env.getOrDefault("LOOPLINE_AUTH_DISABLED", "false").trim();
        if (!disabled.equalsIgnoreCase("true") && !disabled.equalsIgnoreCase("false")) {
            throw new IllegalArgumentException("LOOPLINE_AUTH_DISABLED must be true or false, not " + disabled);
        }
        String url = blankToNull(env.get("LOOPLINE_JWT_JWKS_URL"));
        String keys = blankToNull(env.get("LOOPLINE_API_KEYS_FILE"));
        String jwks = blankToNull(env.get("LOOPLINE_JWT_JWKS_FILE"));
        return new SecurityConfig(
                disabled.equalsIgnoreCase("true"),
                keys == null ? null : Path.of(keys),
                url == null ? null : URI.create(url),
                jwks == null ? null : Path.of(jwks),
                blankToNull(env.get("LOOPLINE_JWT_ISSUER")),
                blankToNull(env.get("LOOPLINE_JWT_AUDIENCE")),
                env.getOrDefault("LOOPLINE_JWT_ROLES_CLAIM", "roles"),
                env.getOrDefault("LOOPLINE_JWT_PRINCIPAL_CLAIM", "sub"));
    }

    /** Whether bearer JWTs are configured (a JWKS from a URL or a file). */
    public boolean jwtEnabled() {
        return jwksUrl != null || jwksFile != null;
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.trim();
    }
}
