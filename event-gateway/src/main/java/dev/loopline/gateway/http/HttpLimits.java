package dev.loopline.gateway.http;

import dev.loopline.gateway.GatewaySettings;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the HTTP edge lets in, and how fast: CORS origins, the body deadline, requests in flight,
 * the wait for a turn and the rate limit per principal ({@code LOOPLINE_HTTP_*}, declared in {@link
 * GatewaySettings}).
 */
public record HttpLimits(
        Set<String> corsOrigins, Duration bodyDeadline, int maxInFlight, Duration queueTimeout, int ratePerSecond) {

    /** The largest request body, in bytes: larger answers 413. */
    static final int MAX_BODY_BYTES = 1_000_000;

    /** Waiting requests beyond this many are refused at once (Jetty's default). */
    static final int MAX_WAITING = 1_024;

    public HttpLimits {
        corsOrigins = Set.copyOf(corsOrigins);
        if (corsOrigins.contains("*")) {
            throw new IllegalArgumentException("LOOPLINE_HTTP_CORS_ORIGINS lists origins; '*' is not allowed");
        }
        if (bodyDeadline.isNegative() || bodyDeadline.isZero()) {
            throw new IllegalArgumentException("LOOPLINE_HTTP_BODY_DEADLINE must be positive");
        }
        if (maxInFlight < 1) {
            throw new IllegalArgumentException("LOOPLINE_HTTP_MAX_IN_FLIGHT must be at least 1");
        }
        if (queueTimeout.isNegative()) {
            throw new IllegalArgumentException("LOOPLINE_HTTP_QUEUE_TIMEOUT must not be negative");
        }
        if (ratePerSecond < 0) {
            throw new IllegalArgumentException("LOOPLINE_HTTP_RATE_LIMIT must not be negative");
        }
    }

    public static HttpLimits from(Map<String, String> env) {
        return new HttpLimits(
                Set.copyOf(GatewaySettings.HTTP_CORS_ORIGINS.optional(env).orElse(List.of())),
                GatewaySettings.HTTP_BODY_DEADLINE.from(env),
                GatewaySettings.HTTP_MAX_IN_FLIGHT.from(env),
                GatewaySettings.HTTP_QUEUE_TIMEOUT.from(env),
                GatewaySettings.HTTP_RATE_LIMIT.from(env));
    }
}
