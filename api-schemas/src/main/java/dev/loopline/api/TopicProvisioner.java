package dev.loopline.api;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * Creates Loopline's topics if they are missing. Idempotent: existing topics are left as they are
 * (their partition count is not changed).
 */
public final class TopicProvisioner {

    private TopicProvisioner() {}

    /**
     * @param partitions partitions of every non-compacted topic (the unit of parallelism)
     * @param replicationFactor 1 for tests, 3 in production
     */
    public static void ensureTopics(Admin admin, Topics topics, int partitions, short replicationFactor) {
        try {
            Set<String> existing = admin.listTopics().names().get();
            List<NewTopic> missing = topics.all().stream()
                    .filter(spec -> !existing.contains(spec.name()))
                    .map(spec -> newTopic(spec, partitions, replicationFactor))
                    .collect(Collectors.toList());
            if (missing.isEmpty()) {
                return;
            }
            for (var result : admin.createTopics(missing).values().values()) {
                try {
                    result.get();
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e;
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topics", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("could not create Loopline's topics: " + e.getCause(), e.getCause());
        }
    }

    private static NewTopic newTopic(Topics.TopicSpec spec, int partitions, short replicationFactor) {
        Map<String, String> config = new HashMap<>();
        if (spec.compacted()) {
            config.put(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT);
        }
        if (replicationFactor > 1) {
            config.put(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, "2");
        }
        // The definitions topic is small and read whole into a global store: one partition keeps it ordered.
        int count = spec.compacted() ? 1 : partitions;
        return new NewTopic(spec.name(), count, replicationFactor).configs(config);
    }
}
