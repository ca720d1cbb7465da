package dev.loopline.systemtests.support;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.zip.CRC32;
import org.apache.kafka.clients.producer.Partitioner;
import org.apache.kafka.common.Cluster;

/**
 * librdkafka's default partitioner, {@code consistent_random}, for a Java producer: the CRC-32 of
 * the key modulo the partition count, or a random partition for a record without a key. It is what
 * clients built on librdkafka (confluent-kafka-python, -go, -dotnet, node-rdkafka) use unless told
 * otherwise, and it puts most keys on another partition than Java's murmur2 does.
 */
public final class ConsistentRandomPartitioner implements Partitioner {

    /** The partition librdkafka would choose for this key. */
    public static int partition(String key, int partitions) {
        CRC32 crc = new CRC32();
        crc.update(key.getBytes(StandardCharsets.UTF_8));
        return (int) (crc.getValue() % partitions);
    }

    @Override
    public int partition(String topic, Object key, byte[] keyBytes, Object value, byte[] valueBytes, Cluster cluster) {
        int partitions = cluster.partitionCountForTopic(topic);
        if (keyBytes == null) {
            return ThreadLocalRandom.current().nextInt(partitions);
        }
        CRC32 crc = new CRC32();
        crc.update(keyBytes);
        return (int) (crc.getValue() % partitions);
    }

    @Override
    public void configure(Map<String, ?> configs) {}

    @Override
    public void close() {}
}
