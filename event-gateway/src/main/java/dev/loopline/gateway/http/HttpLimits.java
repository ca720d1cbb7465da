package dev.loopline.gateway.http;

import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What the HTTP edge lets in, and how fast: from environment variables, each defined here once.
 *
 * <table>
 *   <tr><th>variable</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>LOOPLINE_HTTP_CORS_ORIGINS</td><td>none: CORS off</td><td>comma-separated origins a
 *       browser page may call from, exactly as the browser sends them
 *       ({@code https://console.example.com}); a preflight from any other origin answers 403</td></tr>
 *   <tr><td>LOOPLINE_HTTP_BODY_DEADLINE</td><td>PT10S</td><td>a request's body must have arrived
 *       within this of its headers, else 408. Bodies are read before a request takes a turn or a
 *       thread, so clients that trickle their bodies hold neither</td></tr>
 *   <tr><td>LOOPLINE_HTTP_MAX_IN_FLIGHT</td><td>64</td><td>requests handled at once; more wait for
 *       a turn</td></tr>
 *   <tr><td>LOOPLINE_HTTP_QUEUE_TIMEOUT</td><td>PT2S</td><td>how long a request waits for a turn,
 *       then 503 with {@code Retry-After}</td></tr>
 *   <tr><td>LOOPLINE_HTTP_RATE_LIMIT</td><td>1000</td><td>requests per second for each principal
 *       (bursts of up to a second's worth), then 429 with {@code Retry-After}; 0 switches it
 *       off</td></tr>
 * </table>
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
                Arrays.stream(env.getOrDefault("LOOPLINE_HTTP_CORS_ORIGINS", "").split(","))
                        .map(String::trim)
                        .filter(origin -> !origin.isEmpty())
                        .collect(Collectors.toSet()),
                Duration.parse(env.getOrDefault("LOOPLINE_HTTP_BODY_DEADLINE", "PT10S")),
                Integer.parseInt(env.getOrDefault("LOOPLINE_HTTP_MAX_IN_FLIGHT", "64")),
                Duration.parse(env.getOrDefault("LOOPLINE_HTTP_QUEUE_TIMEOUT", "PT2S")),
                Integer.parseInt(env.getOrDefault("LOOPLINE_HTTP_RATE_LIMIT", "1000")));
    }
}
