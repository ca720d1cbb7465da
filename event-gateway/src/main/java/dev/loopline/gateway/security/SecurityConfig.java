package dev.loopline.gateway.security;

import dev.loopline.api.config.CommonSettings;
import dev.loopline.gateway.GatewaySettings;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;

/**
 * Who may call the gateway: the authentication settings ({@code LOOPLINE_AUTH_DISABLED}, {@code
 * LOOPLINE_API_KEYS_FILE}, {@code LOOPLINE_JWT_*}, declared in {@link CommonSettings} and {@link
 * GatewaySettings}).
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
        return new SecurityConfig(
                CommonSettings.AUTH_DISABLED.from(env),
                CommonSettings.API_KEYS_FILE.from(env),
                GatewaySettings.JWT_JWKS_URL.optional(env).map(URI::create).orElse(null),
                GatewaySettings.JWT_JWKS_FILE.from(env),
                GatewaySettings.JWT_ISSUER.from(env),
                GatewaySettings.JWT_AUDIENCE.from(env),
                GatewaySettings.JWT_ROLES_CLAIM.from(env),
                GatewaySettings.JWT_PRINCIPAL_CLAIM.from(env));
    }

    /** Whether bearer JWTs are configured (a JWKS from a URL or a file). */
    public boolean jwtEnabled() {
        return jwksUrl != null || jwksFile != null;
    }
}
