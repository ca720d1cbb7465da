package dev.loopline.gateway.query.streams;

import dev.loopline.api.Topics;
import dev.loopline.api.config.CommonSettings;
import dev.loopline.gateway.GatewaySettings;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.streams.StreamsConfig;

/**
 * The query side's settings, from environment variables, and the Streams properties they make.
 *
 * The settings are {@code LOOPLINE_QUERY_APPLICATION_ID}, {@code LOOPLINE_QUERY_STATE_DIR} and
 * {@code LOOPLINE_HTTP_ADVERTISED_HOST}, declared in {@link GatewaySettings}, and {@code
 * LOOPLINE_KAFKA_GROUP_INSTANCE_ID}: the process's stable name, its static member id in the query
 * side's group.
 *
 * @param stateDir null for a temporary directory
 */
public record QuerySettings(String applicationId, Path stateDir, String advertisedHost) {

    /** How often the query side commits: the lag it adds to the runtime's (Kafka's default under exactly-once). */
    static final long COMMIT_INTERVAL_MS = 100;

    public static QuerySettings from(Map<String, String> env, Topics topics, String httpHost) {
        String advertised = GatewaySettings.HTTP_ADVERTISED_HOST
                .optional(env)
                .orElseGet(() -> httpHost.equals("0.0.0.0") || httpHost.equals("::") ? localHostName() : httpHost);
        return new QuerySettings(
                GatewaySettings.QUERY_APPLICATION_ID.optional(env).orElse(topics.prefix() + "query"),
                GatewaySettings.QUERY_STATE_DIR.from(env),
                advertised.trim());
    }

    /**
     * The application's properties: exactly-once with transactional stores and read-committed
     * queries (the consistency the README's "Consistency of the reads and actions" states), a standby of each
     * partition on another process, and the runtime's failure detection ({@link CommonSettings#SESSION_TIMEOUT_MS}); then the gateway's
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
        props.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, CommonSettings.SESSION_TIMEOUT_MS.defaultValue());
        props.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, CommonSettings.HEARTBEAT_INTERVAL_MS.defaultValue());
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

    private static String localHostName() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.net.UnknownHostException e) {
            return "localhost";
        }
    }
}
