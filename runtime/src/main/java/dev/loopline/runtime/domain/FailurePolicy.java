package dev.loopline.runtime.domain;

import dev.loopline.api.ErrorCategories;
import dev.loopline.api.v1.AckError;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * What a failed step does, by the error's code or category (Dynamics' error classification):
 * <b>retry</b> later with exponential backoff, <b>suspend</b> until an operator resumes it, or
 * <b>fail</b>. Rules are checked by code, then by category, then {@code *}. The defaults follow
 * Dynamics: transient errors (busy, network, storage) retry; authorization and missing records
 * suspend; "permanent" fails; anything else suspends too, because a person can fix the cause and
 * resume (the categories: {@link ErrorCategories}).
 *
 * <p>Backoff: {@code min(cap, base × 2^(attempt-1))}, with ±20 % jitter derived from the instance id
 * and attempt (deterministic, so a replay after a crash computes the same time). After {@code
 * maxRetries} retries the step is suspended.
 */
public record FailurePolicy(Map<String, Action> rules, Duration base, Duration cap, int maxRetries) {

    public enum Action {
        RETRY,
        SUSPEND,
        FAIL
    }

    public FailurePolicy {
        rules = Map.copyOf(rules);
    }

    public static FailurePolicy defaults() {
        return new FailurePolicy(parse(DEFAULT_RULES), Duration.ofSeconds(1), Duration.ofMinutes(15), 10);
    }

    /** {@code category:transient=retry,...,*=suspend}: "category:" rules match categories, others codes. */
    public static final String DEFAULT_RULES = "category:" + ErrorCategories.TRANSIENT + "=retry,"
            + "category:" + ErrorCategories.BUSY + "=retry,"
            + "category:" + ErrorCategories.NETWORK + "=retry,"
            + "category:" + ErrorCategories.STORAGE + "=retry,"
            + "category:" + ErrorCategories.AUTHORIZATION + "=suspend,"
            + "category:" + ErrorCategories.NOT_FOUND + "=suspend,"
            + "category:" + ErrorCategories.SUSPEND + "=suspend,"
            + "category:" + ErrorCategories.PERMANENT + "=fail,"
            + "*=suspend";

    public static Map<String, Action> parse(String rules) {
        Map<String, Action> parsed = new LinkedHashMap<>();
        for (String rule : rules.split(",")) {
            String[] parts = rule.trim().split("=", 2);
            if (parts.length != 2 || parts[0].isBlank()) {
                throw new IllegalArgumentException(
                        "failure rule '" + rule + "' is not <code|category:name|*>=<action>");
            }
            parsed.put(parts[0].trim(), Action.valueOf(parts[1].trim().toUpperCase(Locale.ROOT)));
        }
        return parsed;
    }

    public Action classify(AckError error) {
        if (error == null) {
            return rules.getOrDefault("*", Action.SUSPEND);
        }
        Action byCode = rules.get(error.getCode());
        if (byCode != null) {
            return byCode;
        }
        if (error.getCategory() != null) {
            Action byCategory = rules.get("category:" + error.getCategory().toLowerCase(Locale.ROOT));
            if (byCategory != null) {
                return byCategory;
            }
        }
        return rules.getOrDefault("*", Action.SUSPEND);
    }

    /** The delay before retry number {@code attempt} (1, 2, …) of this instance. */
    public Duration backoff(String instanceId, int attempt) {
        long exponential = base.toMillis() << Math.min(attempt - 1, 30);
        long capped = Math.min(cap.toMillis(), exponential > 0 ? exponential : Long.MAX_VALUE);
        double jitter = 0.8 + 0.4 * unitFraction(instanceId + "#" + attempt);
        return Duration.ofMillis(Math.min(cap.toMillis(), Math.round(capped * jitter)));
    }

    private static double unitFraction(String seed) {
        long bits =
                UUID.nameUUIDFromBytes(seed.getBytes(StandardCharsets.UTF_8)).getLeastSignificantBits();
        return (bits >>> 11) / (double) (1L << 53);
    }
}
