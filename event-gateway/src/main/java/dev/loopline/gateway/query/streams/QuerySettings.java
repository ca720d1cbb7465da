package dev.loopline.gateway.query.streams;

import dev.loopline.api.Topics;
import dev.loopline.api.config.GroupTimeouts;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.streams.StreamsConfig;

/**
 * The query side's settings, from environment variables, and the Streams properties they make.
 *
 * <table>
 *   <tr><th>variable</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>LOOPLINE_QUERY_APPLICATION_ID</td><td>the topic prefix and {@code query}: {@code
 *       loopline.query}</td><td>its Streams application id (consumer group, and the prefix of its
 *       changelogs): every gateway process of one deployment shares it</td></tr>
 *   <tr><td>LOOPLINE_QUERY_STATE_DIR</td><td>none: a new temporary directory at each start, deleted at
 *       the end, so the stores are restored from their changelogs</td><td>its RocksDB stores, one
 *       directory per process: set it to a kept volume so that a restart reads its stores from
 *       disk and restores only what it missed</td></tr>
 *   <tr><td>LOOPLINE_HTTP_ADVERTISED_HOST</td><td>the HTTP host, or this machine's name when that is
 *       0.0.0.0</td><td>the name other gateway processes reach this one's HTTP port by</td></tr>
 *   <tr><td>LOOPLINE_KAFKA_GROUP_INSTANCE_ID</td><td>none</td><td>the process's stable name (a
 *       StatefulSet pod's): its static member id in the query side's group, so that a process
 *       restarted after a crash gets its partitions back at once instead of after the session
 *       timeout. Never share one between two processes</td></tr>
 * </table>
 *
 * @param stateDir null for a temporary directory
 */
public record QuerySettings(String applicationId, Path stateDir, String advertisedHost) {

    /** How often the query side commits: the lag it adds to the runtime's (Kafka's default under exactly-once). */
    static final long COMMIT_INTERVAL_MS = 100;

    public static QuerySettings from(Map<String, String> env, Topics topics, String httpHost) {
        String advertised = env.get("LOOPLINE_HTTP_ADVERTISED_HOST");
        if (advertised == null || advertised.isBlank()) {
            advertised = httpHost.equals("0.0.0.0") || httpHost.equals("::") ? localHostName() : httpHost;
        }
        return new QuerySettings(
                env.getOrDefault("LOOPLINE_QUERY_APPLICATION_ID", topics.prefix() + "query"),
                stateDir(env.get("LOOPLINE_QUERY_STATE_DIR")),
                advertised.trim());
    }

    /**
     * The application's properties: exactly-once with transactional stores and read-committed
     * queries (the consistency the README's "Queries" section states), a standby of each
     * partition on another process, and the runtime's failure detection ({@link GroupTimeouts}); then the gateway's
     * client settings, whose {@code LOOPLINE_KAFKA_*} overrides win.
     */
    Properties streamsProperties(
            Map<String, Object> clientConfig,
            Topics topics,
            Path stateDir,
            short replicationFactor,
            String advertised) {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        props.put(StreamsConfig.APPLICATION_SERVER_CONFIG, advertised);
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.TRANSACTIONAL_STATE_STORES_CONFIG, "true");
        props.put(StreamsConfig.DEFAULT_INTERACTIVE_QUERY_ISOLATION_LEVEL_CONFIG, IsolationLevel.READ_COMMITTED.name());
        props.put(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, "1");
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, Long.toString(COMMIT_INTERVAL_MS));
        props.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, Short.toString(replicationFactor));
        props.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, Integer.toString(GroupTimeouts.SESSION_TIMEOUT_MS));
        props.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, Integer.toString(GroupTimeouts.HEARTBEAT_INTERVAL_MS));
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, QueryRecordHandler.class.getName());
        props.put(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG, topics.deadLetters());
        props.putAll(clientConfig);
        return props;
    }

    /** True when the stores live in a temporary directory of this process's own. */
    public boolean temporary() {
        return stateDir == null;
    }

    private static Path stateDir(String value) {
        return value == null || value.isBlank() ? null : Path.of(value.trim());
    }

    private static String localHostName() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.net.UnknownHostException e) {
            return "localhost";
        }
    }
}
