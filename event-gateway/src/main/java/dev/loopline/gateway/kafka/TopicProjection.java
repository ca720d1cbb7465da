package dev.loopline.gateway.kafka;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a whole topic from the beginning, read_committed, and hands every record to a callback:
 * the gateway's read models. No consumer group: every gateway process reads every partition, so
 * every process gives the same answers once it has caught up. A record that cannot be decoded is
 * logged and skipped.
 */
final class TopicProjection<V> implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(TopicProjection.class);

    private final String topic;
    private final KafkaConsumer<String, V> consumer;
    private final BiConsumer<String, V> apply;
    private final Map<Integer, Long> positions = new HashMap<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread thread;

    TopicProjection(
            Map<String, Object> clientConfig, String topic, Deserializer<V> values, BiConsumer<String, V> apply) {
        this.topic = topic;
        this.apply = apply;
        Map<String, Object> config = new HashMap<>(clientConfig);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.remove(ConsumerConfig.GROUP_ID_CONFIG);
        config.remove(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG); // the query side's static member id, if set
        this.consumer = new KafkaConsumer<>(config, new StringDeserializer(), values);
        this.thread = new Thread(this::run, "projection-" + topic);
        thread.setDaemon(true);
    }

    void start() {
        List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                .map(info -> new TopicPartition(topic, info.partition()))
                .toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        thread.start();
    }

    /** Waits until the record at {@code offset} of {@code partition} has been applied. */
    synchronized boolean awaitApplied(int partition, long offset, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (positions.getOrDefault(partition, 0L) <= offset) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return true;
    }

    boolean isRunning() {
        return thread.isAlive();
    }

    private void run() {
        try {
            while (running.get()) {
                try {
                    var records = consumer.poll(Duration.ofMillis(500));
                    for (ConsumerRecord<String, V> record : records) {
                        apply.accept(record.key(), record.value());
                    }
                } catch (RecordDeserializationException e) {
                    log.warn("{}: skipping undecodable record at {}: {}", topic, e.offset(), e.getMessage());
                    consumer.seek(e.topicPartition(), e.offset() + 1);
                }
                recordPositions();
            }
        } catch (WakeupException e) {
            if (running.get()) {
                throw e;
            }
        } catch (RuntimeException e) {
            log.error("projection of {} stopped", topic, e);
        } finally {
            consumer.close();
        }
    }

    private synchronized void recordPositions() {
        for (TopicPartition partition : consumer.assignment()) {
            positions.put(partition.partition(), consumer.position(partition));
        }
        notifyAll();
    }

    @Override
    public void close() {
        running.set(false);
        consumer.wakeup();
        try {
            thread.join(Duration.ofSeconds(5).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
