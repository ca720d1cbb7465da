package dev.loopline.api.security;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * What a caller may do. Roles do not imply each other: an administrator who also reads instances
 * holds both {@code administrator} and {@code reader}, so each key or token carries exactly the
 * rights it was given.
 */
public enum Role {
    /** Publishes events ({@code POST /v1/events}), optionally only for some sources and entity types. */
    PUBLISHER,
    /** Saves, activates and deactivates definitions. */
    ADMINISTRATOR,
    /** Acts on instances: cancel, pause, resume, postpone, delete, one at a time or in bulk. */
    OPERATOR,
    /** Reads instances, counts, transitions, definitions and health. */
    READER,
    /** An application without Kafka: reads and answers the messages workflows post ({@code /v1/messages/…}). */
    APPLICATION,
    /** Prometheus and probes: reads the metrics and health of the gateway and the runtime. */
    MONITOR;

    /** The name used in key files, token claims and documentation: lower case. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The role of that name (case-insensitive), if there is one. */
    public static Optional<Role> parse(String name) {
        return Arrays.stream(values())
                .filter(role -> role.id().equalsIgnoreCase(name.trim()))
                .findFirst();
    }
}
