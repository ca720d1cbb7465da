package dev.loopline.systemtests.chaos;

import dev.loopline.api.Topics;
import dev.loopline.api.serde.AvroSerdes;
import dev.loopline.api.v1.InstanceTransition;
import dev.loopline.api.v1.WorkflowMessage;
import dev.loopline.testsupport.infra.Infrastructure;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Watches what a downstream application would see: the transitions, the messages and the dead
 * letters, read with {@code read_committed} from the start, on a thread of its own. It counts what
 * the chaos suite judges (instances started and completed, duplicate transitions, messages posted
 * twice or under two ids, dead letters) and notes, per partition of the transitions topic, the
 * wall-clock time each completion became visible, from which {@link #stallsAfter} gives each
 * partition's stall after a fault.
 */
final class ChaosAuditor implements AutoCloseable {

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Topics topics;
    private final Deserializer<InstanceTransition> transitions;
    private final Deserializer<WorkflowMessage> messages;
    private final Thread thread;
    private volatile boolean running = true;

    private final Map<String, Set<Integer>> sequences = new ConcurrentHashMap<>();
    private final Map<String, Integer> completions = new ConcurrentHashMap<>();
    /** Per instance, how many transitions say it was migrated to another version. */
    private final Map<String, Integer> migrations = new ConcurrentHashMap<>();

    private final Set<String> messageIds = ConcurrentHashMap.newKeySet();
    private final Map<String, Set<String>> idsByStep = new ConcurrentHashMap<>();
    private final Map<Integer, ConcurrentLinkedQueue<Long>> completedAt = new ConcurrentHashMap<>();
    private final AtomicLong duplicateTransitions = new AtomicLong();
    private final AtomicLong duplicateMessages = new AtomicLong();
    private final AtomicLong deadLetters = new AtomicLong();
    private final List<String> deadLetterReasons = new ArrayList<>();
    private final int partitions;

    private ChaosAuditor(Infrastructure infra, Topics topics) {
        this.topics = topics;
        AvroSerdes serdes = new AvroSerdes(infra.clientConfig());
        this.transitions = serdes.valueSerde(InstanceTransition.class).deserializer();
        this.messages = serdes.valueSerde(WorkflowMessage.class).deserializer();
        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, infra.bootstrapServers());
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
        this.consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> assigned = new ArrayList<>();
        for (String topic : List.of(topics.transitions(), topics.messages(), topics.deadLetters())) {
            consumer.partitionsFor(topic).forEach(p -> assigned.add(new TopicPartition(topic, p.partition())));
        }
        this.partitions = consumer.partitionsFor(topics.transitions()).size();
        consumer.assign(assigned);
        consumer.seekToBeginning(assigned);
        this.thread = new Thread(this::run, "chaos-auditor");
        thread.setDaemon(true);
    }

    static ChaosAuditor start(Infrastructure infra, Topics topics) {
        ChaosAuditor auditor = new ChaosAuditor(infra, topics);
        auditor.thread.start();
        return auditor;
    }

    private void run() {
        try {
            while (running) {
                long now = System.currentTimeMillis();
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                    if (record.topic().equals(topics.transitions())) {
                        transition(record, now);
                    } else if (record.topic().equals(topics.messages())) {
                        message(record);
                    } else {
                        deadLetter(record);
                    }
                }
            }
        } catch (WakeupException e) {
            // closing
        } finally {
            consumer.close();
        }
    }

    private void transition(ConsumerRecord<byte[], byte[]> record, long now) {
        InstanceTransition transition = transitions.deserialize(record.topic(), record.value());
        Set<Integer> seen = sequences.computeIfAbsent(transition.getInstanceId(), id -> ConcurrentHashMap.newKeySet());
        if (!seen.add(transition.getSequence())) {
            duplicateTransitions.incrementAndGet();
        }
        if (transition.getReason() != null && transition.getReason().startsWith("migrated from version")) {
            migrations.merge(transition.getInstanceId(), 1, Integer::sum);
        }
        if (transition.getStatusCode() >= 30) {
            completions.put(transition.getInstanceId(), transition.getStatusCode());
            completedAt
                    .computeIfAbsent(record.partition(), p -> new ConcurrentLinkedQueue<>())
                    .add(now);
        }
    }

    private void message(ConsumerRecord<byte[], byte[]> record) {
        WorkflowMessage message = messages.deserialize(record.topic(), record.value());
        if (!messageIds.add(message.getMessageId())) {
            duplicateMessages.incrementAndGet();
        }
        idsByStep
                .computeIfAbsent(
                        message.getInstanceId() + "|" + message.getKind() + "|" + message.getMessageName(),
                        step -> ConcurrentHashMap.newKeySet())
                .add(message.getMessageId());
    }

    private void deadLetter(ConsumerRecord<byte[], byte[]> record) {
        deadLetters.incrementAndGet();
        var reason = record.headers().lastHeader("__streams.errors.message");
        synchronized (deadLetterReasons) {
            if (deadLetterReasons.size() < 10) {
                deadLetterReasons.add(reason == null ? "(no reason)" : new String(reason.value()));
            }
        }
    }

    boolean started(String instanceId) {
        Set<Integer> seen = sequences.get(instanceId);
        return seen != null && seen.contains(1);
    }

    boolean completed(String instanceId) {
        return completions.containsKey(instanceId);
    }

    Integer finalStatus(String instanceId) {
        return completions.get(instanceId);
    }

    long completedCount() {
        return completions.size();
    }

    Set<String> instances() {
        return new HashSet<>(sequences.keySet());
    }

    /** Per migrated instance, its migration transitions (1 each, if each was migrated once). */
    Map<String, Integer> migrations() {
        return Map.copyOf(migrations);
    }

    long duplicateTransitions() {
        return duplicateTransitions.get();
    }

    long duplicateMessages() {
        return duplicateMessages.get();
    }

    /** Steps (instance, kind, message name) whose message was posted under more than one id. */
    long stepsUnderTwoIds() {
        return idsByStep.values().stream().filter(ids -> ids.size() > 1).count();
    }

    long deadLetters() {
        return deadLetters.get();
    }

    List<String> deadLetterReasons() {
        synchronized (deadLetterReasons) {
            return List.copyOf(deadLetterReasons);
        }
    }

    int partitions() {
        return partitions;
    }

    /** Whether every partition has completed an instance since this time. */
    boolean everyPartitionCompletedSince(long millis) {
        return stallsAfter(millis).values().stream().allMatch(OptionalLong::isPresent);
    }

    /**
     * For each partition of the transitions topic, the milliseconds from {@code fault} until it
     * next made a completion visible; empty if it has not yet.
     */
    Map<Integer, OptionalLong> stallsAfter(long fault) {
        Map<Integer, OptionalLong> stalls = new HashMap<>();
        for (int partition = 0; partition < partitions; partition++) {
            OptionalLong next = completedAt.getOrDefault(partition, new ConcurrentLinkedQueue<>()).stream()
                    .mapToLong(Long::longValue)
                    .filter(at -> at >= fault)
                    .min();
            stalls.put(partition, next.isPresent() ? OptionalLong.of(next.getAsLong() - fault) : OptionalLong.empty());
        }
        return stalls;
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
