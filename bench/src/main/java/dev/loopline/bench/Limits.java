package dev.loopline.bench;

import dev.loopline.runtime.LooplineRuntime;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;

/**
 * What Kafka itself does on this broker, measured the same way Loopline is: an idempotent producer
 * (acks=all) of ~300-byte records, a consumer reading them back, and a passthrough Kafka Streams
 * application under exactly_once_v2 with the runtime's own Streams settings (commit interval, linger,
 * poll time and any LOOPLINE_KAFKA_* override). The passthrough the ratio divides by runs as many
 * stream threads as a runtime process does ({@link #runtimeThreads}: one per application, and the
 * runtime runs two), so that the ratio compares like with like. One with the threads of one
 * application is measured beside it; the bare hops run with those settings, the event half's.
 */
final class Limits {

    static final int RECORD_BYTES = 300;

    private static final String WARM_UP = "warm-up";
    /** How long closing a passthrough application may take before the bench goes on without it. */
    private static final Duration CLOSE_TIMEOUT = Duration.ofMinutes(1);

    private static final String MEASURED = "measured";

    private final String bootstrap;
    private final String prefix;
    private final int partitions;
    private final Properties runtimeSettings;
    private final Path stateDir;
    private int bareHopRuns;

    Limits(String bootstrap, String prefix, int partitions, Properties runtimeSettings, Path stateDir) {
        this.stateDir = stateDir;
        this.bootstrap = bootstrap;
        this.prefix = prefix;
        this.partitions = partitions;
        this.runtimeSettings = runtimeSettings;
    }

    /**
     * Runs all three once with {@code records} on their own topics, unmeasured: the JIT compiler took
     * over half a core through the first runs here (see the jit+gc column), so the bench warms up
     * first and measures {@link #produce}, {@link #consume} and {@link #passthrough} after.
     */
    void warmUp(int records) throws Exception {
        produce(records, WARM_UP);
        consume(records, WARM_UP);
        passthrough(records, WARM_UP, runtimeThreads());
    }

    Throughput produce(int records) throws Exception {
        return produce(records, MEASURED);
    }

    Throughput consume(int records) {
        return consume(records, MEASURED);
    }

    /**
     * A Streams application with {@code threads} stream threads that copies every record, exactly
     * once; timed from the first copy seen to the last ({@link #timedCopy}).
     */
    Throughput passthrough(int records, int threads) throws Exception {
        return passthrough(records, MEASURED, threads);
    }

    /** The stream threads of one of the runtime's applications (1 unless configured). */
    int applicationThreads() {
        return Integer.parseInt(runtimeSettings.getProperty(StreamsConfig.NUM_STREAM_THREADS_CONFIG, "1"));
    }

    /** The stream threads of one runtime process: each of its applications runs {@link #applicationThreads}. */
    int runtimeThreads() {
        return LooplineRuntime.APPLICATIONS * applicationThreads();
    }

    private Throughput produce(int records, String run) throws Exception {
        createTopics(input(run), output(run));
        Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        config.put(ProducerConfig.BATCH_SIZE_CONFIG, 64 * 1024);
        byte[] value = new byte[RECORD_BYTES];
        new Random(42).nextBytes(value);
        AtomicReference<Exception> failure = new AtomicReference<>();
        try (var producer = new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer())) {
            awaitOnePerPartition(producer, input(run), value);
            CpuUse cpu = CpuUse.snapshot();
            long start = System.nanoTime();
            for (int i = partitions; i < records; i++) {
                producer.send(
                        new ProducerRecord<>(input(run), Integer.toString(i).getBytes(), value), (meta, e) -> {
                            if (e != null) {
                                failure.compareAndSet(null, e);
                            }
                        });
            }
            producer.flush();
            if (failure.get() != null) {
                throw new IllegalStateException("the producer limit run lost records", failure.get());
            }
            int timed = records - partitions;
            return new Throughput(
                    "idempotent producer",
                    timed,
                    seconds(start),
                    (long) timed * RECORD_BYTES,
                    CpuUse.snapshot().since(cpu));
        }
    }

    private Throughput consume(int records, String run) {
        try (var consumer = consumer()) {
            List<TopicPartition> all = assignAll(consumer, input(run));
            consumer.seekToBeginning(all);
            return timedRead(consumer, records, "consumer");
        }
    }

    /** Copies the records {@code run}'s producer wrote, onto an output topic of its own. */
    private Throughput passthrough(int records, String run, int threads) throws Exception {
        String copy = run + "-" + threads + "-threads";
        createTopics(output(copy));
        Properties props = passthroughProps(copy);
        props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, Integer.toString(threads));
        try (Passthrough app = new Passthrough(new KafkaStreams(passthroughTopology(input(run), output(copy)), props));
                var consumer = consumer()) {
            List<TopicPartition> all = assignAll(consumer, output(copy));
            consumer.seekToBeginning(all);
            app.streams().start();
            return timedCopy(consumer, records, passthroughName(threads));
        }
    }

    /**
     * The passthrough's speed: from the first copy the consumer sees to the last, the consumer
     * polling from before the application starts. Not from RUNNING: with two stream threads one
     * thread copies while the other still joins, before the application is RUNNING, so a timer
     * started there saw a backlog read at consumer speed, several times the real rate.
     */
    private static Throughput timedCopy(KafkaConsumer<byte[], byte[]> consumer, int records, String name) {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        int first = 0;
        while (first == 0) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(name + ": no record copied within 2 minutes");
            }
            first = consumer.poll(Duration.ofMillis(5)).count();
        }
        return timedRead(consumer, records - first, name);
    }

    /** The passthrough's name in the report: with the runtime's threads it is the one the ratio uses. */
    String passthroughName(int threads) {
        return threads == runtimeThreads()
                ? "Streams passthrough, exactly_once_v2"
                : "Streams passthrough, exactly_once_v2, " + threads + (threads == 1 ? " thread" : " threads");
    }

    /**
     * One exactly_once_v2 hop's own latency, Kafka alone: the passthrough fed at {@code ratePerSecond},
     * from publish to the copy being visible to a read_committed consumer. Published as the standard
     * workflow publishes its events ({@link StandardWorkflow#publisherConfig}), so that it is the floor
     * of Loopline's one-hop publish → "workflow started" on this broker with these settings. Each
     * record carries its publish time (System.nanoTime) in its first 8 bytes.
     */
    BareHop bareHop(String label, double ratePerSecond, int records) throws Exception {
        String run = "bare-hop-" + (++bareHopRuns);
        createTopics(input(run), output(run));
        AtomicReference<Exception> failure = new AtomicReference<>();
        try (Passthrough app = new Passthrough(
                        new KafkaStreams(passthroughTopology(input(run), output(run)), passthroughProps(run)));
                var producer = new KafkaProducer<>(
                        StandardWorkflow.publisherConfig(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap)),
                        new ByteArraySerializer(),
                        new ByteArraySerializer());
                HopReader reader = new HopReader(output(run), records + partitions)) {
            startAndAwaitRunning(app.streams());
            awaitOnePerPartition(producer, input(run), new byte[RECORD_BYTES]); // publish time 0: not timed
            reader.start();
            CpuUse cpu = CpuUse.snapshot();
            long start = System.nanoTime();
            for (int i = 0; i < records; i++) {
                Pace.awaitTurn(start, i, ratePerSecond);
                byte[] value = new byte[RECORD_BYTES];
                ByteBuffer.wrap(value).putLong(System.nanoTime());
                producer.send(
                        new ProducerRecord<>(input(run), Integer.toString(i).getBytes(), value), (meta, e) -> {
                            if (e != null) {
                                failure.compareAndSet(null, e);
                            }
                        });
            }
            producer.flush();
            double published = records / seconds(start);
            if (failure.get() != null) {
                throw new IllegalStateException("the bare hop's publisher lost records", failure.get());
            }
            Histogram latency = reader.await(Duration.ofMinutes(5), label);
            return new BareHop(
                    label,
                    ratePerSecond,
                    records,
                    published,
                    latency,
                    CpuUse.snapshot().since(cpu));
        }
    }

    /** What {@link #bareHop} measured: {@code records} published at {@code publishedPerSecond}; latency in microseconds. */
    record BareHop(
            String label,
            double targetRate,
            long records,
            double publishedPerSecond,
            Histogram latency,
            Map<String, Double> cpu) {}

    /**
     * Reads a topic on a thread of its own until {@code expected} records came, recording publish →
     * now of each (from the publish time in its first 8 bytes; 0: not timed). Closing stops it
     * wherever it is, so that a failure of the publishing side never leaves it polling.
     */
    private final class HopReader implements AutoCloseable {

        private final KafkaConsumer<byte[], byte[]> consumer = consumer();
        private final Histogram latency = new Histogram(3_600_000_000L, 3); // microseconds, up to an hour
        private final long expected;
        private final Thread thread = new Thread(this::read, "bench-bare-hop-reader");
        private volatile boolean stopped;
        private volatile long read;
        private volatile RuntimeException failure;

        HopReader(String topic, long expected) {
            this.expected = expected;
            try {
                consumer.seekToBeginning(assignAll(consumer, topic));
            } catch (RuntimeException e) {
                consumer.close();
                throw e;
            }
        }

        void start() {
            thread.start();
        }

        private void read() {
            try {
                while (!stopped && read < expected) {
                    var polled = consumer.poll(Duration.ofMillis(100));
                    long now = System.nanoTime();
                    for (var record : polled) {
                        long sent = ByteBuffer.wrap(record.value()).getLong();
                        if (sent != 0) {
                            latency.recordValue(Math.max(1, (now - sent) / 1_000));
                        }
                        read++;
                    }
                }
            } catch (WakeupException e) {
                // closed while polling
            } catch (RuntimeException e) {
                failure = e;
            }
        }

        /** The latencies once every expected record was read; fails with the reader's error, or after {@code timeout}. */
        Histogram await(Duration timeout, String label) throws InterruptedException {
            thread.join(timeout.toMillis());
            if (failure != null) {
                throw new IllegalStateException("bare hop " + label + ": the reader failed", failure);
            }
            if (thread.isAlive()) {
                throw new IllegalStateException("bare hop " + label + ": only " + read + " of " + expected
                        + " records came through within " + timeout + " of the last publish");
            }
            return latency;
        }

        @Override
        public void close() {
            stopped = true;
            consumer.wakeup();
            try {
                thread.join(Duration.ofMinutes(1).toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            consumer.close();
        }
    }

    /** A passthrough application, closed within {@link #CLOSE_TIMEOUT}: {@code KafkaStreams.close()} alone may wait forever. */
    private record Passthrough(KafkaStreams streams) implements AutoCloseable {
        @Override
        public void close() {
            streams.close(CLOSE_TIMEOUT);
        }
    }

    private static Topology passthroughTopology(String input, String output) {
        StreamsBuilder builder = new StreamsBuilder();
        builder.stream(
                        input,
                        Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()).withName("passthrough-source"))
                .to(
                        output,
                        Produced.with(Serdes.ByteArray(), Serdes.ByteArray()).withName("passthrough-sink"));
        return builder.build();
    }

    private Properties passthroughProps(String run) {
        Properties props = new Properties();
        props.putAll(runtimeSettings);
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, prefix + "passthrough-" + run);
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(
                StreamsConfig.STATE_DIR_CONFIG,
                stateDir.resolve("passthrough-" + run).toString());
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
        return props;
    }

    private static void startAndAwaitRunning(KafkaStreams streams) throws InterruptedException {
        CountDownLatch running = new CountDownLatch(1);
        streams.setStateListener((now, before) -> {
            if (now == KafkaStreams.State.RUNNING) {
                running.countDown();
            }
        });
        streams.start();
        if (!running.await(2, TimeUnit.MINUTES)) {
            throw new IllegalStateException("the passthrough application did not start");
        }
    }

    /**
     * Sends one record to each partition and waits for each. A partition whose leader is not yet ready
     * answers NOT_LEADER_OR_FOLLOWER, and an idempotent producer that has later batches of the same
     * partition in flight can then retry its first batch forever with OUT_OF_ORDER_SEQUENCE_NUMBER
     * (seen here right after topic creation). Alone, it just retries.
     */
    private void awaitOnePerPartition(KafkaProducer<byte[], byte[]> producer, String topic, byte[] value)
            throws Exception {
        for (int partition = 0; partition < partitions; partition++) {
            producer.send(new ProducerRecord<>(topic, partition, null, value)).get(1, TimeUnit.MINUTES);
        }
    }

    /** Reads {@code records} and reports how long that took and the CPU it used, under {@code name}. */
    private static Throughput timedRead(KafkaConsumer<byte[], byte[]> consumer, int records, String name) {
        CpuUse cpu = CpuUse.snapshot();
        long start = System.nanoTime();
        long read = readAll(consumer, records, name);
        return new Throughput(
                name,
                read,
                seconds(start),
                read * RECORD_BYTES,
                CpuUse.snapshot().since(cpu));
    }

    /** Polls until {@code records} were read; fails, rather than hang, if they do not come within 5 minutes. */
    private static long readAll(KafkaConsumer<byte[], byte[]> consumer, int records, String what) {
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        long read = 0;
        while (read < records) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(
                        what + ": only " + read + " of " + records + " records within 5 minutes");
            }
            read += consumer.poll(Duration.ofMillis(200)).count();
        }
        return read;
    }

    private String input(String run) {
        return prefix + "limits-in-" + run;
    }

    private String output(String run) {
        return prefix + "limits-out-" + run;
    }

    private KafkaConsumer<byte[], byte[]> consumer() {
        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
        return new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    private static List<TopicPartition> assignAll(KafkaConsumer<byte[], byte[]> consumer, String topic) {
        List<TopicPartition> all = consumer.partitionsFor(topic).stream()
                .map(p -> new TopicPartition(topic, p.partition()))
                .toList();
        consumer.assign(all);
        return all;
    }

    private void createTopics(String... names) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            admin.createTopics(java.util.Arrays.stream(names)
                            .map(name -> new NewTopic(name, partitions, (short) 1))
                            .toList())
                    .all()
                    .get();
        }
    }

    static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }
}
