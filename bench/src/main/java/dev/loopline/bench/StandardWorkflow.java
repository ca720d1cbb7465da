package dev.loopline.bench;

import dev.loopline.api.Topics;
import dev.loopline.api.serde.AvroSerdes;
import dev.loopline.api.v1.DefinitionStatus;
import dev.loopline.api.v1.InstanceTransition;
import dev.loopline.api.v1.MessageKind;
import dev.loopline.api.v1.PlatformEvent;
import dev.loopline.api.v1.Step;
import dev.loopline.api.v1.StepKind;
import dev.loopline.api.v1.Trigger;
import dev.loopline.api.v1.WorkflowDefinition;
import dev.loopline.api.v1.WorkflowMessage;
import dev.loopline.runtime.LooplineRuntime;
import dev.loopline.runtime.domain.InstanceIds;
import dev.loopline.testsupport.handler.AcknowledgingHandler;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The standard workflow: event → instance → "workflow started" → one step message → both
 * acknowledged by an in-process handler → Completed. Events are produced straight to the events
 * topic, at full speed or paced to a fixed rate. An observer reads the messages and transitions
 * topics (read_committed) and records, per instance, publish → "workflow started" visible to the
 * application, and publish → Completed visible downstream, in HdrHistograms.
 */
final class StandardWorkflow implements AutoCloseable {

    private static final String DEFINITION = "bench-standard";

    private final Map<String, Object> clients;
    private final Topics topics;
    private final LooplineRuntime runtime;
    private final AcknowledgingHandler handler;
    private final KafkaProducer<String, PlatformEvent> producer;
    private final AvroSerdes serdes;
    private final Map<String, Long> publishedAt = new ConcurrentHashMap<>();
    private volatile Run current;
    private final AtomicBoolean observing = new AtomicBoolean(true);
    private final Thread observer;
    private final KafkaConsumer<byte[], byte[]> consumer;

    StandardWorkflow(Map<String, Object> clients, Topics topics, LooplineRuntime runtime) throws Exception {
        this.clients = clients;
        this.topics = topics;
        this.runtime = runtime;
        this.serdes = new AvroSerdes(clients);
        try (var definitions = new KafkaProducer<>(
                publisherConfig(clients),
                new StringSerializer(),
                serdes.valueSerde(WorkflowDefinition.class).serializer())) {
            definitions
                    .send(new ProducerRecord<>(topics.definitions(), DEFINITION, definition()))
                    .get();
        }
        long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        while (runtime.catalogEntry(DEFINITION).isEmpty()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the runtime never saw the bench definition");
            }
            LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
        }
        this.handler = AcknowledgingHandler.start(clients, topics, topics.prefix() + "bench-handler");
        this.producer = new KafkaProducer<>(
                publisherConfig(clients),
                new StringSerializer(),
                serdes.valueSerde(PlatformEvent.class).serializer());
        Map<String, Object> config = new HashMap<>(clients);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
        this.consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> partitions = new java.util.ArrayList<>();
        for (String topic : List.of(topics.messages(), topics.transitions())) {
            consumer.partitionsFor(topic).forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
        }
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        partitions.forEach(consumer::position);
        this.observer = new Thread(this::observe, "bench-observer");
        observer.setDaemon(true);
        observer.start();
    }

    /**
     * Publishes {@code events} events at {@code ratePerSecond} (0: as fast as possible) and waits
     * until every instance completed.
     */
    Result run(String label, int events, double ratePerSecond) {
        Run run = new Run(events);
        current = run;
        CommitCosts commitCosts = new CommitCosts(runtime::metrics);
        Map<String, Double> costsBefore = commitCosts.snapshot();
        CpuUse cpuBefore = CpuUse.snapshot();
        String runId = Long.toString(System.nanoTime(), 36);
        long start = System.nanoTime();
        for (int i = 0; i < events; i++) {
            Pace.awaitTurn(start, i, ratePerSecond);
            String eventId = runId + "-" + i;
            String entityId = "entity-" + runId + "-" + i;
            publishedAt.put(InstanceIds.instanceId(eventId, DEFINITION), System.nanoTime());
            producer.send(new ProducerRecord<>(topics.events(), entityId, event(eventId, entityId)));
        }
        producer.flush();
        long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
        while (run.completed.get() < events) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(
                        label + ": only " + run.completed.get() + " of " + events + " completed");
            }
            LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
        }
        double seconds = (run.lastCompletion - start) / 1e9;
        CommitCosts.Result commits = CommitCosts.between(costsBefore, commitCosts.snapshot(), seconds);
        Map<String, Double> cpu = CpuUse.snapshot().since(cpuBefore);
        return new Result(label, events, ratePerSecond, events / seconds, run.started, run.done, commits, cpu);
    }

    private void observe() {
        var messages = serdes.valueSerde(WorkflowMessage.class).deserializer();
        var transitions = serdes.valueSerde(InstanceTransition.class).deserializer();
        while (observing.get()) {
            var records = consumer.poll(Duration.ofMillis(100));
            long now = System.nanoTime();
            Run run = current;
            for (ConsumerRecord<byte[], byte[]> record : records) {
                if (run == null || record.value() == null) {
                    continue;
                }
                if (record.topic().equals(topics.messages())) {
                    WorkflowMessage message = messages.deserialize(record.topic(), record.value());
                    Long published = publishedAt.get(message.getInstanceId());
                    if (published != null && message.getKind() == MessageKind.WORKFLOW_STARTED) {
                        run.started.recordValue(Math.max(1, (now - published) / 1_000));
                    }
                } else {
                    InstanceTransition transition = transitions.deserialize(record.topic(), record.value());
                    Long published = publishedAt.remove(transition.getInstanceId());
                    if (published != null && transition.getStatusCode() == 30) {
                        run.done.recordValue(Math.max(1, (now - published) / 1_000));
                        run.lastCompletion = now;
                        run.completed.incrementAndGet();
                    } else if (published != null) {
                        publishedAt.put(transition.getInstanceId(), published);
                    }
                }
            }
        }
    }

    /** One measured run's state, filled by the observer. */
    private static final class Run {
        final Histogram started = new Histogram(3_600_000_000L, 3); // microseconds, up to an hour
        final Histogram done = new Histogram(3_600_000_000L, 3);
        final AtomicLong completed = new AtomicLong();
        volatile long lastCompletion;

        Run(int events) {
            lastCompletion = System.nanoTime();
        }
    }

    /** What one run measured; latencies in microseconds, CPU in percent of one core (see {@link CpuUse}). */
    record Result(
            String label,
            int instances,
            double targetRate,
            double completedPerSecond,
            Histogram publishToStarted,
            Histogram publishToCompleted,
            CommitCosts.Result commits,
            Map<String, Double> cpu) {}

    /**
     * How the bench publishes events: idempotent, acks=all, linger 2 ms. Also the bare hop's
     * publisher (Limits.bareHop), so that its latency is the floor of the workflow's.
     */
    static Map<String, Object> publisherConfig(Map<String, Object> clients) {
        Map<String, Object> config = new HashMap<>(clients);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.LINGER_MS_CONFIG, 2);
        return config;
    }

    private static WorkflowDefinition definition() {
        return WorkflowDefinition.newBuilder()
                .setId(DEFINITION)
                .setVersion(1)
                .setName("bench: one message and its acknowledgement")
                .setStatus(DefinitionStatus.ACTIVE)
                .setTrigger(Trigger.newBuilder()
                        .setEntityType("bench")
                        .setMessageName("Create")
                        .build())
                .setSteps(List.of(Step.newBuilder()
                        .setName("work")
                        .setKind(StepKind.SEND_MESSAGE)
                        .setMessageName("DoWork")
                        .build()))
                .setUpdatedAt(Instant.now())
                .build();
    }

    private static PlatformEvent event(String eventId, String entityId) {
        return PlatformEvent.newBuilder()
                .setEventId(eventId)
                .setSource("bench")
                .setEntityType("bench")
                .setEntityId(entityId)
                .setMessageName("Create")
                .setOccurredAt(Instant.now())
                .build();
    }

    @Override
    public void close() {
        observing.set(false);
        try {
            observer.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        consumer.close();
        handler.close();
        producer.close(Duration.ofSeconds(5));
    }
}
