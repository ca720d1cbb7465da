package dev.loopline.bench;

import dev.loopline.api.TopicProvisioner;
import dev.loopline.api.Topics;
import dev.loopline.api.config.CommonSettings;
import dev.loopline.api.serde.AvroSerdes;
import dev.loopline.api.v1.DefinitionStatus;
import dev.loopline.api.v1.InstanceTransition;
import dev.loopline.api.v1.PlatformEvent;
import dev.loopline.api.v1.WorkflowDefinition;
import dev.loopline.definition.DefinitionCompiler;
import dev.loopline.runtime.LooplineRuntime;
import dev.loopline.runtime.config.RuntimeConfig;
import dev.loopline.testsupport.handler.AcknowledgingHandler;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Many suspended instances: half wait on a delay, half on an event that never comes. Reports how
 * long creating them took, the runtime's state on disk, the heap after GC (this JVM's growth since
 * before the runtime started, so an upper bound that includes the runtime's caches), the time a
 * fresh process with an empty state directory takes to restore it all from the changelogs, and how
 * late the delays fire.
 *
 * <p>By default every delay is the same length, so delays fall due at the rate the instances were
 * created, a burst. With a spread, each delay instead runs until a time in the event's {@code
 * dueAt} attribute, spaced evenly over the spread after the delay, so they fall due at
 * (instances / 2) / spread per second, as timers set by real traffic would.
 */
final class ScaleTest {

    private final Map<String, Object> clients;
    private final Map<String, String> settings;
    private final Topics topics;
    private final Duration delay;
    private final Duration spread;

    /** False: do not wait for the delays to fire (for runs too big to wait for them); no lateness then. */
    private final boolean timers;
    /** Where the two runtimes' state directories go (the bench deletes it at the end). */
    private final Path stateDirs;

    ScaleTest(
            Map<String, Object> clients,
            Map<String, String> settings,
            Duration delay,
            Duration spread,
            boolean timers,
            Path stateDirs) {
        this.stateDirs = stateDirs;
        this.timers = timers;
        this.clients = clients;
        this.settings = settings;
        this.topics = new Topics(settings.get("LOOPLINE_TOPIC_PREFIX"));
        this.delay = delay;
        this.spread = spread;
    }

    Map<String, Object> run(int instances) throws Exception {
        // due time of each delay, by the index in its entity id (a flat array, so that the bench's own
        // bookkeeping adds next to nothing to the heap growth it reports)
        long[] dueAtMillis = new long[instances];
        long heapBefore = heapAfterGc();
        Path firstState = Files.createDirectories(stateDirs.resolve("scale-1"));
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("instances", instances);
        result.put("delay", delay.toString());
        result.put("spread", spread.toString());
        AvroSerdes serdes = new AvroSerdes(clients);
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", clients.get("bootstrap.servers")))) {
            TopicProvisioner.ensureTopics(admin, topics, CommonSettings.PARTITIONS.from(settings), (short) 1);
        }
        String pause = spread.isZero() ? "\"duration\":\"" + delay + "\"" : "\"until\":\"trigger.attributes.dueAt\"";
        write(serdes, definition("scale-delay", "scale-delay", """
                {"name":"pause","kind":"delay",%s},{"name":"done","kind":"send-message","messageName":"Done"}""".formatted(pause)));
        write(serdes, definition("scale-wait", "scale-wait", """
                {"name":"never","kind":"wait-for-event",
                 "event":{"entityType":"nothing","messageName":"Never","key":"trigger.entityId"}}"""));
        try (Observer observer = new Observer(serdes, dueAtMillis);
                AcknowledgingHandler handler =
                        AcknowledgingHandler.start(clients, topics, topics.prefix() + "scale-app")) {
            long created;
            try (LooplineRuntime runtime = LooplineRuntime.start(config(firstState))) {
                await(runtime.awaitRunning(Duration.ofMinutes(2)), "the runtime did not start");
                long start = System.nanoTime();
                publish(serdes, instances);
                waitFor(
                        () -> observer.suspended.get() >= instances,
                        Duration.ofSeconds(Math.max(1_800, instances / 1_000)),
                        "instances suspended");
                created = System.nanoTime() - start;
                result.put("createSeconds", created / 1e9);
                result.put("createdPerSecond", instances / (created / 1e9));
                result.put("stateOnDiskMb", size(firstState) / 1e6);
                result.put("heapGrowthAfterGcMb", (heapAfterGc() - heapBefore) / 1e6);
                result.put("processRssMb", residentSetBytes() / 1e6);
            }
            // a new process: empty state directory, same application id, everything from the changelogs
            Path secondState = Files.createDirectories(stateDirs.resolve("scale-2"));
            long restoreStart = System.nanoTime();
            try (LooplineRuntime restored = LooplineRuntime.start(config(secondState))) {
                await(restored.awaitRunning(Duration.ofMinutes(30)), "the restored runtime did not start");
                result.put("restoreSeconds", (System.nanoTime() - restoreStart) / 1e9);
                result.put("restoredStateOnDiskMb", size(secondState) / 1e6);
                if (timers) {
                    waitFor(() -> observer.fired.get() >= instances / 2, Duration.ofMinutes(30), "delays fired");
                }
            }
            Histogram lateness = observer.lateness;
            result.put("timersFired", observer.fired.get());
            if (timers) {
                result.put(
                        "timerLatenessMs",
                        Map.of(
                                "p50", lateness.getValueAtPercentile(50),
                                "p99", lateness.getValueAtPercentile(99),
                                "max", lateness.getMaxValue(),
                                "note", "delays that fell due while the restore ran are late by that time"));
            }
            // the application's handler acknowledges every message: each instance's "workflow started",
            // and the "Done" each delay posts when it fires
            long messages = instances + observer.fired.get();
            waitFor(() -> handler.handled() >= messages, Duration.ofMinutes(5), "messages acknowledged");
            result.put("messagesHandled", handler.handled());
        }
        return result;
    }

    private RuntimeConfig config(Path stateDir) {
        Map<String, String> own = new HashMap<>(settings);
        own.put("LOOPLINE_STATE_DIR", stateDir.toString());
        return RuntimeConfig.from(own);
    }

    private void publish(AvroSerdes serdes, int instances) {
        try (var producer = new KafkaProducer<>(
                producerConfig(),
                new StringSerializer(),
                serdes.valueSerde(PlatformEvent.class).serializer())) {
            Instant firstDue = Instant.now().plus(delay);
            for (int i = 0; i < instances; i++) {
                String type = i % 2 == 0 ? "scale-delay" : "scale-wait";
                String id = type + "-" + i;
                Instant due = firstDue.plusNanos((long) (spread.toNanos() * (i / (double) instances)));
                producer.send(new ProducerRecord<>(
                        topics.events(),
                        id,
                        PlatformEvent.newBuilder()
                                .setEventId(id)
                                .setSource("bench")
                                .setEntityType(type)
                                .setEntityId(id)
                                .setMessageName("Create")
                                .setAttributes(Map.of("dueAt", due.toString()))
                                .setOccurredAt(Instant.now())
                                .build()));
            }
        }
    }

    private void write(AvroSerdes serdes, WorkflowDefinition definition) throws Exception {
        try (var producer = new KafkaProducer<>(
                producerConfig(),
                new StringSerializer(),
                serdes.valueSerde(WorkflowDefinition.class).serializer())) {
            producer.send(new ProducerRecord<>(topics.definitions(), definition.getId(), definition))
                    .get();
        }
    }

    private static WorkflowDefinition definition(String id, String entityType, String steps) {
        String document = """
                {"id":"%s","name":"%s","trigger":{"entityType":"%s","messageName":"Create"},"steps":[%s]}""".formatted(id, id, entityType, steps);
        return WorkflowDefinition.newBuilder(new DefinitionCompiler().compile(document, Instant.now()))
                .setStatus(DefinitionStatus.ACTIVE)
                .setVersion(1)
                .build();
    }

    private Map<String, Object> producerConfig() {
        Map<String, Object> config = new HashMap<>(clients);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        return config;
    }

    /** Counts suspended instances and fired delays from the transitions topic, and how late each delay fired. */
    private final class Observer implements AutoCloseable {
        final AtomicLong suspended = new AtomicLong();
        final AtomicLong fired = new AtomicLong();
        final Histogram lateness = new Histogram(3_600_000L, 3); // milliseconds
        private final long[] dueAtMillis;
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final KafkaConsumer<byte[], byte[]> consumer;
        private final Thread thread;

        Observer(AvroSerdes serdes, long[] dueAtMillis) {
            this.dueAtMillis = dueAtMillis;
            Map<String, Object> config = new HashMap<>(clients);
            config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 10_000);
            consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
            List<TopicPartition> partitions = consumer.partitionsFor(topics.transitions()).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            var transitions = serdes.valueSerde(InstanceTransition.class).deserializer();
            thread = new Thread(
                    () -> {
                        while (running.get()) {
                            for (var record : consumer.poll(Duration.ofMillis(200))) {
                                if (record.value() != null) {
                                    count(transitions.deserialize(record.topic(), record.value()));
                                }
                            }
                        }
                    },
                    "scale-observer");
            thread.setDaemon(true);
            thread.start();
        }

        private void count(InstanceTransition t) {
            String reason = t.getReason() == null ? "" : t.getReason();
            if (reason.startsWith("waiting for delay pause until ")) {
                dueAtMillis[index(t)] = Instant.parse(reason.substring("waiting for delay pause until ".length()))
                        .toEpochMilli();
                suspended.incrementAndGet();
            } else if (reason.startsWith("waiting for Never")) {
                suspended.incrementAndGet();
            } else if (reason.equals("resumed: delay of pause elapsed")) {
                long due = dueAtMillis[index(t)];
                dueAtMillis[index(t)] = 0;
                if (due != 0) {
                    lateness.recordValue(Math.max(0, t.getTimestamp().toEpochMilli() - due));
                }
                fired.incrementAndGet();
            }
        }

        /** The instance's index, from its entity id "scale-delay-<i>". */
        private static int index(InstanceTransition t) {
            String entityId = t.getEntityId();
            return Integer.parseInt(entityId.substring(entityId.lastIndexOf('-') + 1));
        }

        @Override
        public void close() {
            running.set(false);
            try {
                thread.join(2_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            consumer.close();
        }
    }

    private static long heapAfterGc() {
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /** This process's resident memory (heap, RocksDB and the broker in this JVM), or -1 off Linux. */
    private static long residentSetBytes() throws IOException {
        Path status = Path.of("/proc/self/status");
        if (!Files.exists(status)) {
            return -1;
        }
        for (String line : Files.readAllLines(status)) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        return -1;
    }

    private static long size(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile)
                    .mapToLong(f -> f.toFile().length())
                    .sum();
        }
    }

    private static void await(boolean ok, String what) {
        if (!ok) {
            throw new IllegalStateException(what);
        }
    }

    private static void waitFor(java.util.function.BooleanSupplier done, Duration timeout, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out waiting for " + what);
            }
            LockSupport.parkNanos(Duration.ofMillis(100).toNanos());
        }
    }
}
