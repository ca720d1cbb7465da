package dev.loopline.systemtests.support;

import dev.loopline.api.Topics;
import dev.loopline.api.serde.AvroSerdes;
import dev.loopline.api.v1.InstanceTransition;
import dev.loopline.api.v1.WorkflowMessage;
import dev.loopline.testsupport.infra.Infrastructure;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads a whole topic with read_committed, as a downstream consumer would, accumulating every
 * record. Call {@link #poll()} from an Awaitility condition; {@link #readToEnd()} to be sure nothing
 * committed is left unread.
 */
public final class TopicReader<K, V> implements AutoCloseable {

    private final KafkaConsumer<K, V> consumer;
    private final List<ConsumerRecord<K, V>> records = new ArrayList<>();

    private TopicReader(KafkaConsumer<K, V> consumer, String topic) {
        this.consumer = consumer;
        List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                .map(p -> new TopicPartition(topic, p.partition()))
                .toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
    }

    public static <V> TopicReader<String, V> values(String bootstrap, String topic, Deserializer<V> values) {
        return new TopicReader<>(new KafkaConsumer<>(config(bootstrap), new StringDeserializer(), values), topic);
    }

    /** Every committed transition of these topics, decoded. */
    public static TopicReader<String, InstanceTransition> transitions(Infrastructure infra, Topics topics) {
        return values(
                infra.bootstrapServers(),
                topics.transitions(),
                new AvroSerdes(infra.clientConfig())
                        .valueSerde(InstanceTransition.class)
                        .deserializer());
    }

    /** Every committed message to the application, decoded. */
    public static TopicReader<String, WorkflowMessage> messages(Infrastructure infra, Topics topics) {
        return values(
                infra.bootstrapServers(),
                topics.messages(),
                new AvroSerdes(infra.clientConfig())
                        .valueSerde(WorkflowMessage.class)
                        .deserializer());
    }

    public static TopicReader<byte[], byte[]> raw(String bootstrap, String topic) {
        return new TopicReader<>(
                new KafkaConsumer<>(config(bootstrap), new ByteArrayDeserializer(), new ByteArrayDeserializer()),
                topic);
    }

    private static Map<String, Object> config(String bootstrap) {
        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
        return config;
    }

    /** Reads what is available now and returns everything read so far. */
    public List<ConsumerRecord<K, V>> poll() {
        consumer.poll(Duration.ofMillis(200)).forEach(records::add);
        return List.copyOf(records);
    }

    /** Reads until the consumer's position reaches the last stable offset of every partition. */
    public List<ConsumerRecord<K, V>> readToEnd() {
        Map<TopicPartition, Long> end = consumer.endOffsets(consumer.assignment());
        while (end.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue())) {
            consumer.poll(Duration.ofMillis(200)).forEach(records::add);
        }
        return List.copyOf(records);
    }

    public List<V> values() {
        return records.stream().map(ConsumerRecord::value).toList();
    }

    @Override
    public void close() {
        consumer.close();
    }
}
