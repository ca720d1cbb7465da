package dev.loopline.gateway.http;

import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Cross-origin calls from browser pages: off unless origins are listed
 * ({@code LOOPLINE_HTTP_CORS_ORIGINS}). A preflight ({@code OPTIONS} with {@code Origin} and
 * {@code Access-Control-Request-Method}) is answered here, before authentication, since browsers
 * send it without credentials: 204 with the allowed methods and headers for a listed origin, 403 for
 * any other. An actual request from a listed origin gets {@code Access-Control-Allow-Origin} with
 * that origin (never {@code *}); one from any other origin gets no CORS headers, so the browser
 * keeps the answer from the page.
 *
 * <p>CORS is not the defence against cross-site request forgery: credentials travel only in
 * headers a foreign page cannot set without a preflight, and a body must be
 * {@code application/json}.
 */
final class Cors {

    static final Set<String> METHODS = Set.of("GET", "POST", "DELETE");
    static final Set<String> HEADERS = Set.of("authorization", "content-type", "x-api-key");
    private static final String ALLOW_METHODS = "GET, POST, DELETE";
    private static final String ALLOW_HEADERS = "Authorization, Content-Type, X-Api-Key";
    private static final String EXPOSE_HEADERS = "Location, Retry-After, WWW-Authenticate";
    private static final String MAX_AGE_SECONDS = "600";

    private final Set<String> origins;

    Cors(Set<String> origins) {
        this.origins = Set.copyOf(origins);
    }

    /** A {@code before} handler, the first: answers a preflight; marks an allowed cross-origin call. */
    void handle(Context ctx) {
        String origin = ctx.header("Origin");
        if (!origins.isEmpty()) {
            ctx.header("Vary", "Origin"); // the answer depends on the origin: caches must know
        }
        boolean allowed = origin != null && origins.contains(origin);
        if (allowed) {
            ctx.header("Access-Control-Allow-Origin", origin);
            ctx.header("Access-Control-Expose-Headers", EXPOSE_HEADERS);
        }
        String method = ctx.header("Access-Control-Request-Method");
        if (ctx.method() != HandlerType.OPTIONS || origin == null || method == null) {
            return;
        }
        if (!allowed) {
            throw refused(
                    origins.isEmpty()
                            ? "cross-origin calls are off (LOOPLINE_HTTP_CORS_ORIGINS is empty)"
                            : origin + " is not an allowed origin (LOOPLINE_HTTP_CORS_ORIGINS)");
        }
        if (!METHODS.contains(method)) {
            throw refused("method " + method + " is not allowed across origins; allowed: " + ALLOW_METHODS);
        }
        List<String> unknown = requestedHeaders(ctx.header("Access-Control-Request-Headers")).stream()
                .filter(header -> !HEADERS.contains(header))
                .toList();
        if (!unknown.isEmpty()) {
            throw refused("headers " + unknown + " are not allowed across origins; allowed: " + ALLOW_HEADERS);
        }
        ctx.header("Access-Control-Allow-Methods", ALLOW_METHODS);
        ctx.header("Access-Control-Allow-Headers", ALLOW_HEADERS);
        ctx.header("Access-Control-Max-Age", MAX_AGE_SECONDS);
        ctx.status(204);
        ctx.skipRemainingHandlers();
    }

    private static List<String> requestedHeaders(String header) {
        if (header == null || header.isBlank()) {
            return List.of();
        }
        return Arrays.stream(header.split(","))
                .map(name -> name.trim().toLowerCase(Locale.ROOT))
                .filter(name -> !name.isEmpty())
                .toList();
    }

    private static ProblemException refused(String detail) {
        return new ProblemException(403, "cors", "Cross-origin call refused", detail, List.of());
    }
}
