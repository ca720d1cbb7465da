package dev.loopline.client;

import java.time.Duration;

/** Capped exponential backoff for the client's own retries: {@code min(cap, base × 2^(attempt-1))}. */
record Backoff(Duration base, Duration cap) {

    static final Backoff DEFAULT = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(10));

    Duration delay(int attempt) {
        long millis = base.toMillis() << Math.min(Math.max(attempt - 1, 0), 20);
        return Duration.ofMillis(Math.min(cap.toMillis(), millis));
    }
}
