package dev.loopline.gateway.kafka;

import dev.loopline.api.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The dead-letter topic for operators: pages of its records, newest first, and the replay of one
 * onto the topic it came from. Each record keeps its original key and bytes; the reason is in
 * Kafka Streams' headers ({@code __streams.errors.exception}, {@code .message}, {@code .topic},
 * {@code .partition}, {@code .offset}).
 *
 * <p>A page reads, for each partition, at most {@code limit} records back from its cursor, with
 * one consumer that this gateway process's requests take turns on; the cursor is each partition's
 * next offset down. The topic is read {@code read_committed}: the runtime writes dead letters in
 * its transactions. A read the brokers do not answer in time throws Kafka's {@code
 * TimeoutException}.
 */
public final class DeadLetters implements AutoCloseable {

    static final String ERRORS = "__streams.errors.";
    /** Marks a replayed record with the dead letter it came from. */
    public static final String REPLAYED_FROM = "loopline.replayed-from";

    /** How long a read waits for the brokers: 10 s, or less if {@code default.api.timeout.ms} says so. */
    private final Duration timeout;

    private final String topic;
    private final Set<String> replayable;
    private final Map<String, String> replayTargets;
    private final Set<String> mendable;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final KafkaProducer<byte[], byte[]> producer;

    public DeadLetters(Map<String, Object> clientConfig, Topics topics) {
        this.topic = topics.deadLetters();
        Object apiTimeout = clientConfig.get(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG);
        this.timeout = Duration.ofMillis(
                Math.min(10_000, apiTimeout == null ? Long.MAX_VALUE : Long.parseLong(apiTimeout.toString())));
        // what the runtime reads from producers and from itself; never the definitions (an
        // administrator's) nor what the runtime writes for others (messages, transitions, results)
        this.replayable = Set.of(
                topics.events(),
                topics.acks(),
                topics.instanceCommands(),
                topics.correlationCommands(),
                topics.dependencyCommands(),
                topics.definitionOutcomes(),
                topics.definitionHealth());
        // a rerouted acknowledgement holds the acks topic's bytes, and goes back the way it came
        this.replayTargets = Map.of(topics.acksRerouted(), topics.acks());
        this.mendable = Set.of(topics.acks(), topics.acksRerouted());
        Map<String, Object> config = new HashMap<>(clientConfig);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.remove(ConsumerConfig.GROUP_ID_CONFIG);
        config.remove(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
        this.consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.producer = new KafkaProducer<>(
                Producers.durable(clientConfig), new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** One dead letter. */
    public record DeadLetter(
            int partition,
            long offset,
            Instant time,
            String sourceTopic,
            Integer sourcePartition,
            Long sourceOffset,
            String exception,
            String reason,
            byte[] key,
            byte[] value) {}

    /**
     * A page, newest first, where the next page starts (null: none), and how much the topic holds:
     * the offsets from each partition's start to its end, an upper bound on its records (a
     * transaction's marker takes an offset too).
     */
    public record Page(List<DeadLetter> items, Map<Integer, Long> next, long size) {}

    /**
     * Up to {@code limit} dead letters older than the cursor ({@code before}: per partition, the
     * offset below which to read; empty for the newest).
     */
    public synchronized Page page(int limit, Map<Integer, Long> before) {
        List<TopicPartition> partitions = consumer.partitionsFor(topic, timeout).stream()
                .map(info -> new TopicPartition(topic, info.partition()))
                .toList();
        consumer.assign(partitions);
        Map<TopicPartition, Long> begin = consumer.beginningOffsets(partitions, timeout);
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout); // the last stable offset
        // each partition's window below its cursor, newest (highest offset) first
        Map<Integer, List<ConsumerRecord<byte[], byte[]>>> windows = new TreeMap<>();
        Map<Integer, Long> next = new TreeMap<>();
        for (TopicPartition partition : partitions) {
            // with a cursor, a partition it does not name was read to its start
            long below = before.isEmpty() ? Long.MAX_VALUE : before.getOrDefault(partition.partition(), 0L);
            long upper = Math.min(end.get(partition), below);
            // back from the cursor until the window holds a page (transaction markers take offsets too)
            long span = limit;
            long lower;
            List<ConsumerRecord<byte[], byte[]>> window;
            do {
                lower = Math.max(begin.get(partition), upper - span);
                window = new ArrayList<>(lower < upper ? range(partition, lower, upper) : List.of());
                span *= 2;
            } while (window.size() < limit && lower > begin.get(partition));
            window.sort(Comparator.comparingLong((ConsumerRecord<byte[], byte[]> r) -> r.offset())
                    .reversed());
            windows.put(partition.partition(), window);
            if (upper > begin.get(partition) && !(window.isEmpty() && lower == begin.get(partition))) {
                next.put(partition.partition(), upper); // unless records are taken from it, below
            }
        }
        // merged newest first, each partition from its top down, so that what a page takes from a
        // partition is always the top of its window and the cursor can go on below it
        List<DeadLetter> items = new ArrayList<>();
        Map<Integer, Integer> taken = new HashMap<>();
        while (items.size() < limit) {
            Integer newest = null;
            for (var window : windows.entrySet()) {
                int index = taken.getOrDefault(window.getKey(), 0);
                if (index < window.getValue().size()
                        && (newest == null
                                || window.getValue().get(index).timestamp()
                                        > windows.get(newest)
                                                .get(taken.getOrDefault(newest, 0))
                                                .timestamp())) {
                    newest = window.getKey();
                }
            }
            if (newest == null) {
                break;
            }
            int index = taken.merge(newest, 1, Integer::sum) - 1;
            ConsumerRecord<byte[], byte[]> record = windows.get(newest).get(index);
            items.add(deadLetter(record));
            if (record.offset() > begin.get(new TopicPartition(topic, newest))) {
                next.put(newest, record.offset());
            } else {
                next.remove(newest); // read down to the partition's first record
            }
        }
        long size = 0;
        for (TopicPartition partition : partitions) {
            size += end.get(partition) - begin.get(partition);
        }
        return new Page(items, next.isEmpty() ? null : next, size);
    }

    /** The dead letter at this partition and offset, if the topic still holds it. */
    public synchronized Optional<DeadLetter> find(int partition, long offset) {
        TopicPartition tp = new TopicPartition(topic, partition);
        if (consumer.partitionsFor(topic, timeout).stream().noneMatch(info -> info.partition() == partition)) {
            return Optional.empty();
        }
        consumer.assign(List.of(tp));
        long begin = consumer.beginningOffsets(List.of(tp), timeout).get(tp);
        long end = consumer.endOffsets(List.of(tp), timeout).get(tp);
        if (offset < begin || offset >= end) {
            return Optional.empty();
        }
        return range(tp, offset, offset + 1).stream()
                .filter(r -> r.offset() == offset)
                .findFirst()
                .map(DeadLetters::deadLetter);
    }

    /** Whether a dead letter of this topic may go back with bytes other than its own (an acknowledgement's). */
    public boolean mayMend(String sourceTopic) {
        return mendable.contains(sourceTopic);
    }

    /**
     * Writes a record back to the topic the dead letter came from (acks for one from acks-rerouted), with its key and the given
     * value (its own, or a mended one, see {@link #mayMend}), marked {@value #REPLAYED_FROM}.
     *
     * @throws IllegalArgumentException if the source is not a topic the runtime reads from
     */
    public RecordMetadata replay(DeadLetter letter, byte[] value) throws InterruptedException {
        String target = letter.sourceTopic() == null
                ? null
                : replayTargets.getOrDefault(letter.sourceTopic(), letter.sourceTopic());
        if (target == null || !replayable.contains(target)) {
            throw new IllegalArgumentException("its source topic " + letter.sourceTopic()
                    + " is not one the runtime reads from, so it cannot be replayed");
        }
        RecordHeaders headers = new RecordHeaders();
        headers.add(
                REPLAYED_FROM,
                (topic + "-" + letter.partition() + "@" + letter.offset()).getBytes(StandardCharsets.UTF_8));
        try {
            return producer.send(new ProducerRecord<>(target, null, letter.key(), value, headers))
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException | KafkaException e) {
            throw new DefinitionRepository.NotConfirmedException(
                    "Kafka did not confirm the replay of " + letter.partition() + "@" + letter.offset()
                            + "; it may still be written",
                    e);
        }
    }

    /** The committed records of [from, to) of one partition (assigned by the caller). */
    private List<ConsumerRecord<byte[], byte[]>> range(TopicPartition partition, long from, long to) {
        consumer.seek(partition, from);
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (consumer.position(partition) < to) {
            if (System.nanoTime() > deadline) { // a partial window would skip records: none at all
                throw new org.apache.kafka.common.errors.TimeoutException(
                        "reading " + partition + " up to offset " + to + " took over " + timeout);
            }
            for (ConsumerRecord<byte[], byte[]> record :
                    consumer.poll(Duration.ofMillis(200)).records(partition)) {
                if (record.offset() < to) {
                    records.add(record);
                }
            }
        }
        return records;
    }

    private static DeadLetter deadLetter(ConsumerRecord<byte[], byte[]> record) {
        return new DeadLetter(
                record.partition(),
                record.offset(),
                Instant.ofEpochMilli(record.timestamp()),
                header(record, "topic"),
                number(header(record, "partition")) == null
                        ? null
                        : number(header(record, "partition")).intValue(),
                number(header(record, "offset")),
                header(record, "exception"),
                header(record, "message"),
                record.key(),
                record.value());
    }

    private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
        Header header = record.headers().lastHeader(ERRORS + name);
        return header == null || header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    private static Long number(String text) {
        try {
            return text == null ? null : Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    @Override
    public synchronized void close() {
        consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
        producer.close(Duration.ofSeconds(5));
    }
}
