package dev.loopline.api.config;

/**
 * How soon a Loopline process's consumer group notices a dead member: the runtime's and the
 * gateway's query side alike, unless {@code LOOPLINE_KAFKA_SESSION_TIMEOUT_MS} and {@code
 * LOOPLINE_KAFKA_HEARTBEAT_INTERVAL_MS} say otherwise. Kafka's default session, 45 s, would be the
 * floor of every failover after a kill -9; the broker's minimum is 6 s (README "Failover").
 */
public final class GroupTimeouts {

    public static final int SESSION_TIMEOUT_MS = 10_000;
    public static final int HEARTBEAT_INTERVAL_MS = 3_000;

    private GroupTimeouts() {}
}
