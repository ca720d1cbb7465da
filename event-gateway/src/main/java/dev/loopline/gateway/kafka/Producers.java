package dev.loopline.gateway.kafka;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerConfig;

final class Producers {

    private Producers() {}

    /** Idempotent, acks=all: an acknowledged send is on every in-sync replica exactly once. */
    static Map<String, Object> durable(Map<String, Object> clientConfig) {
        Map<String, Object> config = new HashMap<>(clientConfig);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.LINGER_MS_CONFIG, 2);
        return config;
    }
}
