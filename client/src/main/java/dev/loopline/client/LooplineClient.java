package dev.loopline.client;

import dev.loopline.api.Topics;
import dev.loopline.api.config.CommonSettings;
import dev.loopline.api.serde.AvroSerdes;
import dev.loopline.api.serde.SchemaRegistryException;
import dev.loopline.api.v1.Acknowledgement;
import dev.loopline.api.v1.MessageKind;
import dev.loopline.api.v1.WorkflowMessage;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An application's end of the message loop: reads the messages workflows post, calls the handler
 * registered for each message's name, and writes the {@link Ack} it returns to the acks topic.
 *
 * <pre>{@code
 * try (LooplineClient client = LooplineClient.builder(kafkaProperties)
 *         .handle("RequestApproval", message -> Ack.succeeded(Map.of("approved", true)))
 *         .start()) {
 *     client.awaitStopped();
 * }
 * }</pre>
 *
 * <p>What it guarantees:
 *
 * <ul>
 *   <li><b>At least once.</b> An offset is committed only once every message before it is
 *       acknowledged (written, acks=all) or left alone; after a crash, what was in flight comes
 *       again. The runtime ignores an acknowledgement it has already applied.
 *   <li><b>Deduplication by message id.</b> A message this process has acknowledged is not handled
 *       again (the last 100,000 ids). Across processes and restarts, {@link Message#id()} is the
 *       idempotency key the handler passes on to its business system.
 *   <li><b>Order per instance, concurrency across instances.</b> Messages of one instance are
 *       handled one at a time, in order, on one of {@link Builder#concurrency} threads.
 *   <li><b>Its own failures are retried</b> with capped backoff: the registry unreachable or
 *       timing out while a message is read or an acknowledgement written, and a write Kafka did not
 *       confirm. An acknowledgement Kafka refuses for good (too large) becomes {@link Ack#fail}.
 *   <li><b>Failure detection.</b> Unless set, {@code session.timeout.ms} is 10 s and {@code
 *       heartbeat.interval.ms} 3 s (as the runtime's), so a killed process's partitions move to the
 *       other members within seconds.
 *   <li><b>Graceful shutdown.</b> {@link #close()} stops taking messages, waits up to {@link
 *       Builder#shutdownTimeout} for those in flight, commits what is done and leaves the group;
 *       the rest are released to the other members. A rebalance does the same for the partitions
 *       it takes away.
 * </ul>
 *
 * <p>Which handler: the one registered for the message's name; for an entity upsert, the {@link
 * Builder#handleUpserts} one first; then the {@link Builder#otherwise} one. "Workflow started"
 * messages with none of these are acknowledged as succeeded; other messages with none are left to
 * the applications that handle them (each application its own {@code group.id}).
 */
public final class LooplineClient implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LooplineClient.class);
    private static final int REMEMBERED = 100_000;
    /** The error code of the failed answer sent when Kafka refuses a handler's acknowledgement for good. */
    static final String REFUSED = "AcknowledgementRefused";

    private static final Duration POLL = Duration.ofMillis(100);
    private static final Duration COMMIT_INTERVAL = Duration.ofMillis(500);
    /** The W3C trace context headers a message carries and its acknowledgement carries on. */
    private static final String TRACE_PARENT = "traceparent";

    private static final String TRACE_STATE = "tracestate";

    private final Topics topics;
    private final Map<String, MessageHandler> handlers;
    private final MessageHandler upserts;
    private final MessageHandler otherwise;
    private final ClientListener listener;
    private final Duration shutdownTimeout;
    private final int maxInFlight;
    private final Backoff backoff;
    private final KafkaConsumer<String, byte[]> consumer;
    private final Deserializer<WorkflowMessage> messages;
    private final KafkaProducer<String, Acknowledgement> producer;
    private final InstanceLanes lanes;
    private final ScheduledExecutorService retries;
    private final Map<TopicPartition, PartitionProgress> owned = new ConcurrentHashMap<>();
    /** Partitions paused until a read the registry failed is tried again: when (nanoTime) and which attempt. */
    private final Map<TopicPartition, long[]> retryReads = new HashMap<>();

    private final AtomicInteger inFlight = new AtomicInteger();
    private final Set<String> acknowledged =
            Collections.newSetFromMap(Collections.synchronizedMap(new LinkedHashMap<>() {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                    return size() > REMEMBERED;
                }
            }));
    private final AtomicBoolean closing = new AtomicBoolean();
    private final Thread poller;
    private volatile Throwable failure;
    private boolean flowPaused;
    private long lastCommit = System.nanoTime();

    private LooplineClient(Builder builder) {
        this.topics = builder.topics;
        this.handlers = Map.copyOf(builder.handlers);
        this.upserts = builder.upserts;
        this.otherwise = builder.otherwise;
        this.listener = builder.listener;
        this.shutdownTimeout = builder.shutdownTimeout;
        this.maxInFlight = builder.maxInFlight;
        this.backoff = builder.backoff;
        Map<String, Object> properties = new HashMap<>(builder.properties);
        String group = (String) properties.get(ConsumerConfig.GROUP_ID_CONFIG);
        if (group == null || group.isBlank()) {
            throw new IllegalArgumentException("set group.id: the application's consumer group");
        }
        AvroSerdes serdes = new AvroSerdes(properties);
        this.messages = serdes.valueSerde(WorkflowMessage.class).deserializer();
        Map<String, Object> consumerConfig = new HashMap<>(properties);
        consumerConfig.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        consumerConfig.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        consumerConfig.putIfAbsent(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        // a killed handler's partitions move after 10 s rather than Kafka's default 45 s
        consumerConfig.putIfAbsent(
                ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, CommonSettings.SESSION_TIMEOUT_MS.parsedDefault());
        consumerConfig.putIfAbsent(
                ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, CommonSettings.HEARTBEAT_INTERVAL_MS.parsedDefault());
        Map<String, Object> producerConfig = new HashMap<>(properties);
        producerConfig.put(ProducerConfig.ACKS_CONFIG, "all");
        producerConfig.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        producerConfig.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 5);
        for (String consumerOnly : List.of(
                ConsumerConfig.GROUP_ID_CONFIG,
                ConsumerConfig.GROUP_INSTANCE_ID_CONFIG,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG,
                ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG)) {
            producerConfig.remove(consumerOnly);
        }
        this.consumer = new KafkaConsumer<>(consumerConfig, new StringDeserializer(), new ByteArrayDeserializer());
        try {
            this.producer = new KafkaProducer<>(
                    producerConfig,
                    new StringSerializer(),
                    serdes.valueSerde(Acknowledgement.class).serializer());
        } catch (KafkaException e) {
            consumer.close(CloseOptions.timeout(Duration.ZERO));
            throw e;
        }
        this.lanes = new InstanceLanes(builder.concurrency, group);
        this.retries = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread t = new Thread(task, group + "-retries");
            t.setDaemon(true);
            return t;
        });
        this.poller = new Thread(this::poll, group + "-poll");
    }

    /** A client reading with these Kafka client and serde properties; {@code group.id} is required. */
    public static Builder builder(Map<String, ?> kafkaProperties) {
        return new Builder(kafkaProperties);
    }

    /** Messages taken and not yet acknowledged or left alone. */
    public int inFlight() {
        return inFlight.get();
    }

    /** Blocks until the client stopped: closed, or failed for good (then the failure is thrown). */
    public void awaitStopped() throws InterruptedException {
        poller.join();
        if (failure != null) {
            throw new IllegalStateException("the client stopped: " + failure, failure);
        }
    }

    /**
     * Stops taking messages, waits up to the shutdown timeout for those in flight, commits what is
     * done, and leaves the group; what is not done goes to the other members.
     */
    @Override
    public void close() {
        if (closing.compareAndSet(false, true)) {
            consumer.wakeup();
        }
        try {
            poller.join(shutdownTimeout.plusSeconds(10).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        retries.shutdownNow();
        lanes.close();
        producer.close(Duration.ofSeconds(5));
    }

    private void poll() {
        try {
            consumer.subscribe(List.of(topics.messages()), new Rebalance());
            while (!closing.get()) {
                ConsumerRecords<String, byte[]> records;
                try {
                    records = consumer.poll(POLL);
                } catch (WakeupException e) {
                    break;
                }
                for (TopicPartition partition : records.partitions()) {
                    for (ConsumerRecord<String, byte[]> record : records.records(partition)) {
                        if (!take(partition, record)) {
                            break; // read again after a backoff, with the records behind it
                        }
                    }
                }
                resumeDue();
                commitIfDue(false);
            }
            finish();
        } catch (RuntimeException | Error e) {
            failure = e;
            log.error("the Loopline client stopped", e);
            owned.values().forEach(PartitionProgress::release);
        } finally {
            consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
        }
    }

    /** Takes one record; false if it could not be read yet and its partition waits to read it again. */
    private boolean take(TopicPartition partition, ConsumerRecord<String, byte[]> record) {
        PartitionProgress progress = owned.get(partition);
        if (progress == null) {
            return false; // revoked during this poll
        }
        WorkflowMessage value;
        try {
            value = record.value() == null ? null : messages.deserialize(record.topic(), record.value());
        } catch (RuntimeException e) {
            if (SchemaRegistryException.isTransient(e)) {
                long[] retry = retryReads.computeIfAbsent(partition, p -> new long[2]);
                retry[1]++;
                Duration delay = backoff.delay((int) retry[1]);
                retry[0] = System.nanoTime() + delay.toNanos();
                listener.retrying("reading " + partition + "@" + record.offset(), e, (int) retry[1], delay);
                consumer.seek(partition, record.offset());
                consumer.pause(List.of(partition));
                return false;
            }
            listener.unreadable(record.topic(), record.partition(), record.offset(), e);
            log.warn(
                    "{}@{} is not a message this client can read; skipped: {}",
                    partition,
                    record.offset(),
                    e.toString());
            value = null;
        }
        retryReads.remove(partition);
        progress.taken(record.offset());
        if (value == null) {
            progress.finished(record.offset());
            return true;
        }
        Message message = new Message(value, header(record, TRACE_PARENT), header(record, TRACE_STATE));
        inFlight.incrementAndGet();
        lanes.run(value.getInstanceId(), () -> handle(progress, record.offset(), message));
        return true;
    }

    private void handle(PartitionProgress progress, long offset, Message message) {
        if (progress.released()) {
            inFlight.decrementAndGet();
            return; // its partition is another member's now: it will handle it
        }
        MessageHandler handler = handlerFor(message);
        if (handler == null) {
            listener.unhandled(message);
            done(progress, offset);
            return;
        }
        if (acknowledged.contains(message.id())) {
            listener.duplicate(message);
            done(progress, offset);
            return;
        }
        listener.received(message);
        long start = System.nanoTime();
        Ack ack;
        try {
            ack = Objects.requireNonNull(handler.handle(message), "the handler returned no Ack");
        } catch (Exception e) {
            listener.handlerFailed(message, e);
            log.warn("handler of {} threw; acknowledged as a retry", message, e);
            ack = Ack.thrown(e);
        }
        if (ack.isLater()) {
            done(progress, offset); // the application answers it itself, later
            return;
        }
        send(progress, offset, message, ack, start);
    }

    /**
     * Answers a message now, for a handler that returned {@link Ack#later()}: writes the
     * acknowledgement, trying again what the registry or Kafka did not confirm, until the client
     * closes. Answering a message twice is harmless: the runtime applies the first answer.
     *
     * @return completes when Kafka has the acknowledgement
     */
    public CompletableFuture<Void> acknowledge(Message message, Ack ack) {
        if (closing.get()) {
            return CompletableFuture.failedFuture(new IllegalStateException("the client is closed"));
        }
        return write(message, ack);
    }

    /**
     * Writes the answer to the acks topic, trying again, with backoff, what the registry or Kafka did
     * not confirm. Completes once Kafka has it; exceptionally if Kafka refuses it for good, or the
     * client closed before it could be written again.
     */
    private CompletableFuture<Void> write(Message message, Ack ack) {
        CompletableFuture<Void> written = new CompletableFuture<>();
        write(message, ack, 1, written);
        return written;
    }

    private void write(Message message, Ack ack, int attempt, CompletableFuture<Void> written) {
        Runnable again = () -> write(message, ack, attempt + 1, written);
        try {
            ProducerRecord<String, Acknowledgement> answer =
                    new ProducerRecord<>(topics.acks(), message.instanceId(), ack.toRecord(message.record()));
            // the trace goes on: the acknowledgement carries the message's trace context
            message.traceParent().ifPresent(value -> answer.headers().add(TRACE_PARENT, utf8(value)));
            message.traceState().ifPresent(value -> answer.headers().add(TRACE_STATE, utf8(value)));
            producer.send(answer, (metadata, error) -> {
                if (error == null) {
                    acknowledged.add(message.id());
                    written.complete(null);
                } else if (!(error instanceof RetriableException)
                        || !retryLater("acknowledging " + message, error, attempt, again)) {
                    written.completeExceptionally(error);
                }
            });
        } catch (KafkaException e) {
            // the serializer's registry call failed, or the producer could not take the record now
            if (!retryLater("acknowledging " + message, e, attempt, again)) {
                written.completeExceptionally(e);
            }
        }
    }

    private MessageHandler handlerFor(Message message) {
        if (message.kind() == MessageKind.ENTITY_UPSERT && upserts != null) {
            return upserts;
        }
        MessageHandler handler = handlers.get(message.name());
        if (handler != null) {
            return handler;
        }
        if (otherwise != null) {
            return otherwise;
        }
        return message.kind() == MessageKind.WORKFLOW_STARTED ? started -> Ack.succeeded() : null;
    }

    private void send(PartitionProgress progress, long offset, Message message, Ack ack, long start) {
        if (progress.released() && closing.get()) {
            inFlight.decrementAndGet();
            return; // closed: released to the group
        }
        write(message, ack).whenComplete((written, error) -> {
            if (error == null) {
                done(progress, offset);
                listener.acknowledged(message, ack, Duration.ofNanos(System.nanoTime() - start));
            } else if (retries.isShutdown()) {
                inFlight.decrementAndGet(); // closed while trying again: released to the group
            } else if (!ack.errorCode().orElse("").equals(REFUSED)) {
                // e.g. too large: the instance must not wait for an answer that can never be written
                log.warn("Kafka refused the acknowledgement of {}; answering it as failed", message, error);
                send(progress, offset, message, Ack.fail(REFUSED, String.valueOf(error.getMessage())), start);
            } else {
                log.error("Kafka refused the acknowledgement of {}; it is left unanswered", message, error);
                done(progress, offset);
            }
        });
    }

    /** Schedules {@code again} after the backoff; false if the client is closed and it will not run. */
    private boolean retryLater(String operation, Throwable error, int attempt, Runnable again) {
        Duration delay = backoff.delay(attempt);
        listener.retrying(operation, error, attempt, delay);
        try {
            retries.schedule(again, delay.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (RejectedExecutionException e) {
            return false; // closed: the message is released
        }
    }

    private void done(PartitionProgress progress, long offset) {
        progress.finished(offset);
        inFlight.decrementAndGet();
    }

    /** Pauses every partition while too much is in flight; resumes what is due. */
    private void resumeDue() {
        long now = System.nanoTime();
        retryReads.entrySet().removeIf(entry -> {
            if (entry.getValue()[0] <= now && owned.containsKey(entry.getKey())) {
                if (!flowPaused) {
                    consumer.resume(List.of(entry.getKey()));
                }
                entry.getValue()[0] = Long.MAX_VALUE; // attempt count kept until a read succeeds
            }
            return !owned.containsKey(entry.getKey());
        });
        if (!flowPaused && inFlight.get() >= maxInFlight) {
            consumer.pause(consumer.assignment());
            flowPaused = true;
        } else if (flowPaused && inFlight.get() < maxInFlight / 2) {
            List<TopicPartition> ready = consumer.assignment().stream()
                    .filter(p -> !retryReads.containsKey(p) || retryReads.get(p)[0] == Long.MAX_VALUE)
                    .toList();
            consumer.resume(ready);
            flowPaused = false;
        }
    }

    private void commitIfDue(boolean now) {
        if (!now && System.nanoTime() - lastCommit < COMMIT_INTERVAL.toNanos()) {
            return;
        }
        lastCommit = System.nanoTime();
        Map<TopicPartition, OffsetAndMetadata> offsets = committable(owned.keySet());
        if (offsets.isEmpty()) {
            return;
        }
        if (now) {
            consumer.commitSync(offsets);
            record(offsets);
        } else {
            consumer.commitAsync(offsets, (done, error) -> {
                if (error == null) {
                    record(done);
                } else {
                    log.debug("commit failed; the next one covers it: {}", error.toString());
                }
            });
        }
    }

    private Map<TopicPartition, OffsetAndMetadata> committable(Collection<TopicPartition> partitions) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (TopicPartition partition : partitions) {
            PartitionProgress progress = owned.get(partition);
            if (progress != null) {
                OptionalLong offset = progress.committable();
                if (offset.isPresent()) {
                    offsets.put(partition, new OffsetAndMetadata(offset.getAsLong()));
                }
            }
        }
        return offsets;
    }

    private void record(Map<TopicPartition, OffsetAndMetadata> offsets) {
        offsets.forEach((partition, offset) -> {
            PartitionProgress progress = owned.get(partition);
            if (progress != null) {
                progress.committed(offset.offset());
            }
        });
    }

    /** Waits for what is in flight (bounded), commits what is done and releases the rest. */
    private void drain(Collection<TopicPartition> partitions) {
        long deadline = System.nanoTime() + shutdownTimeout.toNanos();
        boolean idle = true;
        for (TopicPartition partition : partitions) {
            PartitionProgress progress = owned.get(partition);
            try {
                idle &= progress == null || progress.awaitIdle(deadline);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                idle = false;
                break;
            }
        }
        Map<TopicPartition, OffsetAndMetadata> offsets = committable(partitions);
        if (!offsets.isEmpty()) {
            try {
                consumer.commitSync(offsets);
            } catch (KafkaException e) {
                log.warn("could not commit {} before giving the partitions up: {}", offsets, e.toString());
            }
        }
        if (!idle) {
            log.info("messages still in flight on {} are released to the group", partitions);
        }
        for (TopicPartition partition : partitions) {
            PartitionProgress progress = owned.remove(partition);
            if (progress != null) {
                progress.release();
            }
        }
    }

    private void finish() {
        drain(List.copyOf(owned.keySet()));
    }

    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            for (TopicPartition partition : partitions) {
                owned.computeIfAbsent(partition, p -> new PartitionProgress());
            }
            if (flowPaused) {
                consumer.pause(partitions);
            }
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            drain(partitions);
            partitions.forEach(retryReads::remove);
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            for (TopicPartition partition : partitions) {
                PartitionProgress progress = owned.remove(partition);
                if (progress != null) {
                    progress.release();
                }
                retryReads.remove(partition);
            }
        }
    }

    /** How a client is set up: its Kafka properties, its handlers, and the client's own settings. */
    public static final class Builder {
        private final Map<String, Object> properties;
        private final Map<String, MessageHandler> handlers = new HashMap<>();
        private MessageHandler upserts;
        private MessageHandler otherwise;
        private Topics topics = Topics.withDefaultPrefix();
        private ClientListener listener = new ClientListener() {};
        private int concurrency = 8;
        private int maxInFlight = 1_000;
        private Duration shutdownTimeout = Duration.ofSeconds(30);
        private Backoff backoff = Backoff.DEFAULT;

        private Builder(Map<String, ?> properties) {
            this.properties = new HashMap<>(properties);
        }

        /** Handles the messages of this name (a step's {@code messageName}, or {@code WorkflowStarted}). */
        public Builder handle(String messageName, MessageHandler handler) {
            if (handlers.putIfAbsent(Objects.requireNonNull(messageName), Objects.requireNonNull(handler)) != null) {
                throw new IllegalArgumentException("a handler for " + messageName + " is registered already");
            }
            return this;
        }

        /**
         * Handles every entity upsert ({@code upsert-entity} steps), whatever its name: the handler
         * writes the entity and publishes the platform event ({@link EventPublisher#publishUpserted}).
         */
        public Builder handleUpserts(MessageHandler handler) {
            this.upserts = Objects.requireNonNull(handler);
            return this;
        }

        /**
         * Handles the messages no other handler takes ("workflow started" included): for an
         * application that answers every message of a deployment, or a test.
         */
        public Builder otherwise(MessageHandler handler) {
            this.otherwise = Objects.requireNonNull(handler);
            return this;
        }

        /** The deployment's topics; {@code loopline.} by default. */
        public Builder topics(Topics topics) {
            this.topics = Objects.requireNonNull(topics);
            return this;
        }

        public Builder listener(ClientListener listener) {
            this.listener = Objects.requireNonNull(listener);
            return this;
        }

        /** Threads that run handlers (8): messages of one instance always on the same one. */
        public Builder concurrency(int threads) {
            if (threads < 1) {
                throw new IllegalArgumentException("concurrency must be at least 1");
            }
            this.concurrency = threads;
            return this;
        }

        /** Messages taken and not yet acknowledged before reading pauses (1,000). */
        public Builder maxInFlight(int messages) {
            if (messages < 1) {
                throw new IllegalArgumentException("maxInFlight must be at least 1");
            }
            this.maxInFlight = messages;
            return this;
        }

        /** How long {@link #close()} and a rebalance wait for messages in flight (30 s). */
        public Builder shutdownTimeout(Duration timeout) {
            this.shutdownTimeout = Objects.requireNonNull(timeout);
            return this;
        }

        /** The client's own retries: {@code min(cap, base × 2^(attempt-1))} (100 ms, 10 s). */
        public Builder retryBackoff(Duration base, Duration cap) {
            this.backoff = new Backoff(base, cap);
            return this;
        }

        /** Builds the client and starts reading: it joins the group and handles messages until closed. */
        public LooplineClient start() {
            LooplineClient client = new LooplineClient(this);
            client.poller.start();
            return client;
        }
    }

    private static String header(ConsumerRecord<?, ?> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null || header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    private static byte[] utf8(String value) {
        return value.getBytes(StandardCharsets.UTF_8);
    }
}
