package dev.loopline.api.config;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The pass-through for Kafka properties that every Loopline process shares: an environment
 * variable {@code LOOPLINE_KAFKA_<NAME>} sets the Kafka (client or Streams) property {@code
 * <name>} with underscores as dots, e.g. {@code LOOPLINE_KAFKA_COMMIT_INTERVAL_MS=50} sets {@code
 * commit.interval.ms}.
 */
public final class KafkaOverrides {

    public static final String PREFIX = "LOOPLINE_KAFKA_";

    private KafkaOverrides() {}

    public static Map<String, String> from(Map<String, String> environment) {
        Map<String, String> kafka = new HashMap<>();
        environment.forEach((key, value) -> {
            if (key.startsWith(PREFIX)) {
                kafka.put(
                        key.substring(PREFIX.length()).toLowerCase(Locale.ROOT).replace('_', '.'), value);
            }
        });
        return Map.copyOf(kafka);
    }

    /** The inverse of {@link #from}: properties back to environment variables. */
    public static Map<String, String> toEnvironment(Map<String, String> properties) {
        Map<String, String> env = new HashMap<>();
        properties.forEach(
                (key, value) -> env.put(PREFIX + key.toUpperCase(Locale.ROOT).replace('.', '_'), value));
        return env;
    }
}
