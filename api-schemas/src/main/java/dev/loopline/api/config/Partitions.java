package dev.loopline.api.config;

import java.util.Map;

/**
 * {@code LOOPLINE_PARTITIONS} (default 6): the partitions of every Loopline topic a process
 * creates when it finds the topic missing, in the runtime and the gateway alike, so that whichever
 * starts first creates them as configured. A topic that exists is never changed.
 */
public final class Partitions {

    public static final String VARIABLE = "LOOPLINE_PARTITIONS";

    private Partitions() {}

    public static int from(Map<String, String> env) {
        int partitions = Integer.parseInt(env.getOrDefault(VARIABLE, "6"));
        if (partitions < 1) {
            throw new IllegalArgumentException(VARIABLE + " must be at least 1, not " + partitions);
        }
        return partitions;
    }
}
