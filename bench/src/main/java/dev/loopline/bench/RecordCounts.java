package dev.loopline.bench;

import dev.loopline.api.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Counts the records a run wrote to every topic of the bench's prefix (Loopline's topics and the
 * runtime's changelogs). End offsets alone would also count transaction markers, so the records
 * between two offset snapshots are read back with read_committed and counted, after the run and
 * outside its timing.
 */
final class RecordCounts implements AutoCloseable {

    private final String prefix;
    private final Admin admin;
    private final KafkaConsumer<byte[], byte[]> consumer;

    RecordCounts(String bootstrap, String prefix) {
        this.prefix = prefix;
        this.admin = Admin.create(Map.of("bootstrap.servers", bootstrap));
        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 10_000);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        this.consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    /** The end offset of every partition of the prefix's topics. */
    Map<TopicPartition, Long> snapshot() throws Exception {
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : admin.listTopics().names().get()) {
            if (topic.startsWith(prefix)) {
                consumer.partitionsFor(topic).forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
            }
        }
        return consumer.endOffsets(partitions);
    }

    /** Committed records per topic between two snapshots (topics new since {@code from} count from 0). */
    Map<String, Long> between(Map<TopicPartition, Long> from, Map<TopicPartition, Long> to) {
        Map<TopicPartition, Long> start = new HashMap<>();
        to.forEach((partition, end) -> {
            long begin = from.getOrDefault(partition, 0L);
            if (end > begin) {
                start.put(partition, begin);
            }
        });
        Map<String, Long> counts = new TreeMap<>();
        consumer.assign(start.keySet());
        start.forEach(consumer::seek);
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        while (!start.isEmpty() && System.nanoTime() < deadline) {
            for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                TopicPartition partition = new TopicPartition(record.topic(), record.partition());
                if (record.offset() < to.get(partition)) {
                    counts.merge(record.topic().substring(prefix.length()), 1L, Long::sum);
                }
            }
            start.keySet().removeIf(partition -> consumer.position(partition) >= to.get(partition));
            consumer.assign(start.keySet());
        }
        return counts;
    }

    /** The runtime's input topics: a record on one of them is one topic hop through a stream task. */
    static List<String> runtimeInputs(Topics topics) {
        return List.of(
                topics.events(),
                topics.instanceCommands(),
                topics.correlationCommands(),
                topics.dependencyCommands(),
                topics.definitionOutcomes(),
                topics.acks());
    }

    @Override
    public void close() {
        consumer.close();
        admin.close();
    }
}
