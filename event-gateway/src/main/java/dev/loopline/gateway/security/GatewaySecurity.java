package dev.loopline.gateway.security;

import dev.loopline.api.security.ApiKeyStore;
import dev.loopline.api.security.Credentials;
import dev.loopline.api.security.Principal;
import dev.loopline.api.security.Role;
import dev.loopline.gateway.http.ProblemException;
import io.javalin.http.Context;
import io.javalin.router.Endpoint;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Authentication and authorisation of every request, in two steps. {@link #authenticate} runs
 * before routing, for every request, matched or not: a caller without valid credentials gets 401
 * everywhere, so the route map is not visible to anonymous callers (an unknown route answers 404
 * only after authentication). {@link #authorise} runs once a route has matched and checks the
 * route's roles in {@link AccessRules}: 403 for a caller without any of them, and for everyone on
 * a route the table does not list.
 *
 * <p>Credentials are {@code Authorization: Bearer <credential>} (an API key or a JWT) or
 * {@code X-Api-Key: <key>}. A bearer credential is tried as an API key first (a hash lookup) and
 * then, when a JWKS is configured, as a JWT.
 */
public final class GatewaySecurity {

    private static final Logger log = LoggerFactory.getLogger(GatewaySecurity.class);
    static final String API_KEY_HEADER = Credentials.API_KEY_HEADER;

    /** The header the console's pages send with every request, and its value. */
    public static final String CONSOLE_HEADER = "X-Requested-With";

    static final String CONSOLE = "loopline-console";

    private final boolean disabled;
    private final Optional<ApiKeyStore> apiKeys;
    private final Optional<JwtAuthenticator> jwts;

    private GatewaySecurity(boolean disabled, Optional<ApiKeyStore> apiKeys, Optional<JwtAuthenticator> jwts) {
        this.disabled = disabled;
        this.apiKeys = apiKeys;
        this.jwts = jwts;
    }

    /**
     * From the settings, failing closed: with authentication on and neither a keys file nor a JWKS,
     * the gateway refuses to start.
     */
    public static GatewaySecurity from(SecurityConfig config) {
        if (config.authDisabled()) {
            log.warn("*****************************************************************************");
            log.warn("AUTHENTICATION IS DISABLED (LOOPLINE_AUTH_DISABLED=true): anyone who reaches");
            log.warn("this gateway can publish events, deploy definitions and act on instances.");
            log.warn("Never run it like this outside a sealed test environment.");
            log.warn("*****************************************************************************");
            return new GatewaySecurity(true, Optional.empty(), Optional.empty());
        }
        if (config.apiKeysFile() == null && !config.jwtEnabled()) {
            throw new IllegalStateException("the gateway has no way to authenticate callers: set LOOPLINE_API_KEYS_FILE"
                    + " and/or LOOPLINE_JWT_JWKS_URL (or LOOPLINE_JWT_JWKS_FILE) with LOOPLINE_JWT_ISSUER and"
                    + " LOOPLINE_JWT_AUDIENCE; LOOPLINE_AUTH_DISABLED=true runs it open, for tests only");
        }
        Optional<ApiKeyStore> keys = Optional.ofNullable(config.apiKeysFile()).map(ApiKeyStore::load);
        Optional<JwtAuthenticator> jwts =
                config.jwtEnabled() ? Optional.of(JwtAuthenticator.from(config)) : Optional.empty();
        log.info(
                "authentication: {}{}",
                keys.map(k -> k.size() + " API keys from " + config.apiKeysFile())
                        .orElse("no API keys"),
                jwts.isPresent()
                        ? ", JWTs from " + (config.jwksUrl() != null ? config.jwksUrl() : config.jwksFile())
                                + " (issuer " + config.jwtIssuer() + ", audience " + config.jwtAudience() + ")"
                        : "");
        return new GatewaySecurity(false, keys, jwts);
    }

    /**
     * A {@code before} handler: sets the request's principal, or answers 401.
     *
     * <p>The web console's callers are browsers, which send what they were asked for on their own:
     * the key as the password of HTTP Basic. Those credentials count only for the console's files
     * and for requests that carry {@value #CONSOLE_HEADER}: a page of another site cannot send
     * that header without a CORS preflight, which the gateway refuses, so it cannot act with the
     * credentials the browser keeps.
     */
    public void authenticate(Context ctx) {
        if (disabled) {
            Principals.set(ctx, Principal.ANONYMOUS);
            return;
        }
        boolean browser = console(ctx);
        Optional<String> credential = Credentials.presented(ctx.header(API_KEY_HEADER), ctx.header("Authorization"));
        if (credential.isEmpty() && browser) {
            credential = Credentials.basicPassword(ctx.header("Authorization"));
        }
        if (credential.isEmpty()) {
            throw unauthorised(
                    ctx, null, "credentials are required: Authorization: Bearer <API key or JWT>, or X-Api-Key");
        }
        String presented = credential.get();
        Optional<Principal> principal = apiKeys.flatMap(keys -> keys.authenticate(presented));
        if (principal.isEmpty() && jwts.isPresent()) {
            principal = jwts.get().authenticate(presented);
        }
        Principals.set(
                ctx, principal.orElseThrow(() -> unauthorised(ctx, "invalid_token", "the credentials are not valid")));
    }

    /** A {@code beforeMatched} handler: 403 unless the principal holds one of the route's roles. */
    public void authorise(Context ctx) {
        Endpoint endpoint = ctx.endpoints().matchedHttpEndpoint();
        if (endpoint == null) {
            return; // no route matched: routing answers 404
        }
        Optional<Set<Role>> allowed = AccessRules.rolesFor(endpoint.method, endpoint.path);
        if (allowed.isEmpty()) {
            log.error("{} {} has no access rule: refused to everyone", endpoint.method, endpoint.path);
            throw forbidden("this route has no access rule");
        }
        Principal principal = Principals.of(ctx);
        if (!principal.hasAny(allowed.get())) {
            throw forbidden(principal.name() + " needs the role "
                    + allowed.get().stream().sorted().map(Role::id).collect(Collectors.joining(" or "))
                    + " for " + endpoint.method + " " + endpoint.path);
        }
    }

    /** The console's files, or a request of the console's pages. */
    private static boolean console(Context ctx) {
        String path = ctx.path();
        return path.equals("/console") || path.startsWith("/console/") || CONSOLE.equals(ctx.header(CONSOLE_HEADER));
    }

    /**
     * 401 with the RFC 6750 challenge ({@code error} only when credentials were sent), or, to the
     * console, HTTP Basic's, so that the browser asks for the key once and sends it again.
     */
    private static ProblemException unauthorised(Context ctx, String error, String detail) {
        ctx.header(
                "WWW-Authenticate",
                console(ctx)
                        ? "Basic realm=\"loopline\", charset=\"UTF-8\""
                        : "Bearer realm=\"loopline\"" + (error == null ? "" : ", error=\"" + error + "\""));
        return new ProblemException(401, "unauthorized", "Unauthorized", detail, List.of());
    }

    private static ProblemException forbidden(String detail) {
        return new ProblemException(403, "forbidden", "Forbidden", detail, List.of());
    }
}
