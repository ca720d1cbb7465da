package dev.loopline.api.config;

import java.util.Map;

/**
 * {@code LOOPLINE_REPLICATION_FACTOR} (default 1; 3 in production): the replicas of every topic a
 * Loopline process creates, its own topics and its Streams changelogs, in the runtime and the
 * gateway alike.
 */
public final class ReplicationFactor {

    public static final String VARIABLE = "LOOPLINE_REPLICATION_FACTOR";

    private ReplicationFactor() {}

    public static short from(Map<String, String> env) {
        return Short.parseShort(env.getOrDefault(VARIABLE, "1"));
    }
}
