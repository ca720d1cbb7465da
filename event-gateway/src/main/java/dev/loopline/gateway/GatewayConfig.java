package dev.loopline.gateway;

import dev.loopline.api.Topics;
import dev.loopline.api.config.KafkaOverrides;
import dev.loopline.api.config.Partitions;
import dev.loopline.api.config.ReplicationFactor;
import dev.loopline.gateway.http.HttpLimits;
import dev.loopline.gateway.kafka.EventPublisher;
import dev.loopline.gateway.query.streams.QuerySettings;
import dev.loopline.gateway.security.SecurityConfig;
import dev.loopline.gateway.security.TlsConfig;
import dev.loopline.gateway.webhook.WebhookSettings;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * The gateway's settings, from environment variables.
 *
 * <table>
 *   <tr><th>variable</th><th>default</th></tr>
 *   <tr><td>LOOPLINE_BOOTSTRAP_SERVERS</td><td>localhost:9092</td></tr>
 *   <tr><td>LOOPLINE_SCHEMA_REGISTRY_URL</td><td>http://localhost:8081/apis/ccompat/v7</td></tr>
 *   <tr><td>LOOPLINE_TOPIC_PREFIX</td><td>loopline.</td></tr>
 *   <tr><td>LOOPLINE_HTTP_HOST</td><td>0.0.0.0</td></tr>
 *   <tr><td>LOOPLINE_HTTP_PORT</td><td>8080 (0 picks a free port)</td></tr>
 *   <tr><td>LOOPLINE_HTTP_PUBLISH_TIMEOUT</td><td>PT4.5S: how long POST /v1/events waits for Kafka, from the
 *       request's start, before it answers 503 with the event id</td></tr>
 *   <tr><td>LOOPLINE_PARTITIONS</td><td>6: partitions of the topics it creates ({@link Partitions})</td></tr>
 *   <tr><td>LOOPLINE_REPLICATION_FACTOR</td><td>1: replicas of the topics and changelogs it creates
 *       ({@link ReplicationFactor})</td></tr>
 *   <tr><td>LOOPLINE_KAFKA_*</td><td>any Kafka client property, e.g. LOOPLINE_KAFKA_LINGER_MS</td></tr>
 * </table>
 *
 * Who may call the gateway: {@link SecurityConfig} ({@code LOOPLINE_AUTH_*}, {@code LOOPLINE_API_KEYS_FILE},
 * {@code LOOPLINE_JWT_*}); HTTPS: {@link TlsConfig} ({@code LOOPLINE_HTTP_TLS_*}); CORS, body deadlines,
 * requests in flight and rate limits: {@link HttpLimits}; the query side ({@code LOOPLINE_QUERY_*}, {@code
 * LOOPLINE_HTTP_ADVERTISED_HOST}): {@link QuerySettings}; webhook delivery ({@code LOOPLINE_WEBHOOK*}):
 * {@link WebhookSettings}.
 */
public record GatewayConfig(
        String bootstrapServers,
        String schemaRegistryUrl,
        Topics topics,
        String httpHost,
        int httpPort,
        Map<String, String> kafkaOverrides,
        SecurityConfig security,
        TlsConfig tls,
        HttpLimits http,
        Duration publishTimeout,
        int partitions,
        short replicationFactor,
        QuerySettings query,
        WebhookSettings webhooks) {

    public static GatewayConfig from(Map<String, String> env) {
        Topics topics = new Topics(env.getOrDefault("LOOPLINE_TOPIC_PREFIX", Topics.DEFAULT_PREFIX));
        return new GatewayConfig(
                env.getOrDefault("LOOPLINE_BOOTSTRAP_SERVERS", "localhost:9092"),
                env.getOrDefault("LOOPLINE_SCHEMA_REGISTRY_URL", "http://localhost:8081/apis/ccompat/v7"),
                topics,
                env.getOrDefault("LOOPLINE_HTTP_HOST", "0.0.0.0"),
                Integer.parseInt(env.getOrDefault("LOOPLINE_HTTP_PORT", "8080")),
                KafkaOverrides.from(env),
                SecurityConfig.from(env),
                TlsConfig.from(env),
                HttpLimits.from(env),
                Duration.parse(
                        env.getOrDefault("LOOPLINE_HTTP_PUBLISH_TIMEOUT", EventPublisher.DEFAULT_TIMEOUT.toString())),
                Partitions.from(env),
                ReplicationFactor.from(env),
                QuerySettings.from(env, topics, env.getOrDefault("LOOPLINE_HTTP_HOST", "0.0.0.0")),
                WebhookSettings.from(env, topics));
    }

    /** bootstrap.servers, schema.registry.url and the overrides: every client's base config. */
    public Map<String, Object> clientConfig() {
        Map<String, Object> config = new HashMap<>(kafkaOverrides);
        config.put("bootstrap.servers", bootstrapServers);
        config.put("schema.registry.url", schemaRegistryUrl);
        return config;
    }
}
