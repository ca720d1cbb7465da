package dev.loopline.gateway.security;

import com.google.common.cache.Cache;
import com.google.common.cache.CacheBuilder;
import dev.loopline.api.security.Principal;
import dev.loopline.gateway.http.ProblemException;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.github.resilience4j.ratelimiter.internal.AtomicRateLimiter;
import io.javalin.http.Context;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;

/**
 * Requests per second for each principal (resilience4j's {@link RateLimiter}, in its atomic implementation, which says how long until the next permit: so many permits in
 * each one-second cycle, the first cycle full). Past it, 429 with {@code Retry-After} in whole
 * seconds until the next cycle. One principal's flood slows only that principal; callers without
 * credentials are refused before this, and the in-flight cap bounds them.
 *
 * <p>Limiters live in a cache bounded in size and idle time, so principals that come and go (JWT
 * subjects) cannot grow it without bound. A principal evicted while idle starts with a full cycle,
 * which is what an idle one would have.
 */
public final class RateLimits {

    private static final int MAX_PRINCIPALS = 100_000;

    private final int perSecond;
    private final RateLimiterConfig config;
    private final Cache<String, AtomicRateLimiter> limiters = CacheBuilder.newBuilder()
            .maximumSize(MAX_PRINCIPALS)
            .expireAfterAccess(Duration.ofMinutes(10))
            .build();

    public RateLimits(int perSecond) {
        this.perSecond = perSecond;
        this.config = RateLimiterConfig.custom()
                .limitForPeriod(Math.max(1, perSecond))
                .limitRefreshPeriod(Duration.ofSeconds(1))
                .timeoutDuration(Duration.ZERO)
                .build();
    }

    /** A {@code before} handler, after authentication: 429 when the principal is over its rate. */
    public void check(Context ctx) {
        if (perSecond == 0) {
            return;
        }
        Principal principal = Principals.of(ctx);
        AtomicRateLimiter limiter;
        try {
            limiter = limiters.get(principal.name(), () -> new AtomicRateLimiter(principal.name(), config));
        } catch (ExecutionException e) {
            throw new IllegalStateException(e);
        }
        if (!limiter.acquirePermission()) {
            long waitNanos = limiter.getDetailedMetrics().getNanosToWait();
            long seconds = Math.max(1, (waitNanos + 999_999_999L) / 1_000_000_000L);
            ctx.header("Retry-After", Long.toString(seconds));
            throw new ProblemException(
                    429,
                    "rate-limited",
                    "Too many requests",
                    principal.name() + " sent more than " + perSecond
                            + " requests in a second (LOOPLINE_HTTP_RATE_LIMIT); retry after " + seconds + " s",
                    List.of());
        }
    }
}
