package dev.loopline.api;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

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

    /**
     * How many partitions the topic has. A topic created a moment ago may be unknown to the broker
     * asked for a while (its metadata spreads to the others): asked again for up to 30 s.
     */
    public static int partitionCount(Admin admin, String topic) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try {
                return admin.describeTopics(List.of(topic))
                        .allTopicNames()
                        .get()
                        .get(topic)
                        .partitions()
                        .size();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while describing " + topic, e);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException) || System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not describe " + topic + ": " + e.getCause(), e.getCause());
                }
                try {
                    TimeUnit.MILLISECONDS.sleep(100);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while describing " + topic, interrupted);
                }
            }
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
