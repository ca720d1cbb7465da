package dev.loopline.demo;

import dev.loopline.api.Topics;
import dev.loopline.api.serde.AvroSerdes;
import dev.loopline.api.v1.InstanceState;
import dev.loopline.api.v1.InstanceTransition;
import dev.loopline.runtime.domain.Status;
import java.io.PrintStream;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Prints every committed transition as it arrives, and tells who is waiting when an instance completes. */
final class TransitionPrinter implements AutoCloseable {

    private final KafkaConsumer<String, InstanceTransition> consumer;
    private final PrintStream out;
    private final long startNanos;
    private final Map<String, CompletableFuture<InstanceTransition>> completions = new ConcurrentHashMap<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread thread;

    TransitionPrinter(Map<String, Object> clientConfig, Topics topics, PrintStream out, long startNanos) {
        Map<String, Object> config = new HashMap<>(clientConfig);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        this.consumer = new KafkaConsumer<>(
                config,
                new StringDeserializer(),
                new AvroSerdes(clientConfig)
                        .valueSerde(InstanceTransition.class)
                        .deserializer());
        List<TopicPartition> partitions = consumer.partitionsFor(topics.transitions()).stream()
                .map(p -> new TopicPartition(p.topic(), p.partition()))
                .toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        this.out = out;
        this.startNanos = startNanos;
        this.thread = new Thread(this::run, "transition-printer");
        thread.setDaemon(true);
        thread.start();
    }

    /** Completes with the instance's Completed transition. */
    CompletableFuture<InstanceTransition> completion(String instanceId) {
        return completions.computeIfAbsent(instanceId, id -> new CompletableFuture<>());
    }

    private void run() {
        try {
            while (running.get()) {
                for (var record : consumer.poll(Duration.ofMillis(100))) {
                    InstanceTransition t = record.value();
                    out.printf(
                            "%8.3f s  instance %s  %-9s %2d %-22s %s%n",
                            (System.nanoTime() - startNanos) / 1e9,
                            t.getInstanceId().substring(0, 8),
                            t.getState(),
                            t.getStatusCode(),
                            label(Status.ofCode(t.getStatusCode())),
                            t.getReason());
                    if (t.getState() == InstanceState.COMPLETED) {
                        completion(t.getInstanceId()).complete(t);
                    }
                }
            }
        } catch (WakeupException e) {
            // closing
        } finally {
            consumer.close();
        }
    }

    private static String label(Status status) {
        String words = status.name().replace('_', ' ').toLowerCase(Locale.ROOT);
        return Character.toUpperCase(words.charAt(0)) + words.substring(1);
    }

    @Override
    public void close() {
        running.set(false);
        consumer.wakeup();
    }
}
