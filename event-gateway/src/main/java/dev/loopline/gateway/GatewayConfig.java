package dev.loopline.gateway;

import dev.loopline.api.Topics;
import dev.loopline.api.config.CommonSettings;
import dev.loopline.api.config.KafkaOverrides;
import dev.loopline.gateway.http.HttpLimits;
import dev.loopline.gateway.query.streams.QuerySettings;
import dev.loopline.gateway.security.SecurityConfig;
import dev.loopline.gateway.security.TlsConfig;
import dev.loopline.gateway.webhook.WebhookSettings;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * The gateway's settings, read from environment variables. Each is declared once, with its default
 * and meaning, in {@link CommonSettings} or {@link GatewaySettings}; {@code LOOPLINE_KAFKA_*} passes
 * any Kafka client property through ({@link KafkaOverrides}). Who may call: {@link SecurityConfig};
 * HTTPS: {@link TlsConfig}; the HTTP edge: {@link HttpLimits}; the query side: {@link QuerySettings};
 * webhooks: {@link WebhookSettings}.
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
        Topics topics = new Topics(CommonSettings.TOPIC_PREFIX.from(env));
        String httpHost = GatewaySettings.HTTP_HOST.from(env);
        return new GatewayConfig(
                CommonSettings.BOOTSTRAP_SERVERS.from(env),
                CommonSettings.SCHEMA_REGISTRY_URL.from(env),
                topics,
                httpHost,
                GatewaySettings.HTTP_PORT.from(env),
                KafkaOverrides.from(env),
                SecurityConfig.from(env),
                TlsConfig.from(env),
                HttpLimits.from(env),
                GatewaySettings.HTTP_PUBLISH_TIMEOUT.from(env),
                CommonSettings.PARTITIONS.from(env),
                CommonSettings.REPLICATION_FACTOR.from(env),
                QuerySettings.from(env, topics, httpHost),
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
