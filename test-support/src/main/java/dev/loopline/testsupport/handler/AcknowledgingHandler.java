package dev.loopline.testsupport.handler;

import dev.loopline.api.Topics;
import dev.loopline.api.serde.AvroSerdes;
import dev.loopline.api.v1.Acknowledgement;
import dev.loopline.api.v1.Outcome;
import dev.loopline.api.v1.WorkflowMessage;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A sample application handler: the other side of the message loop. It reads {@link
 * WorkflowMessage}s (read_committed), lets a function decide the outcome, and posts an {@link
 * Acknowledgement} keyed by instance id. Offsets are committed after the acknowledgements are
 * sent, so a crash redelivers messages (at least once); the runtime ignores acknowledgements it has
 * already applied, and this handler also skips message ids it has already acknowledged.
 */
public final class AcknowledgingHandler implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(AcknowledgingHandler.class);
    private static final int REMEMBERED = 100_000;

    private final KafkaConsumer<String, WorkflowMessage> consumer;
    private final KafkaProducer<String, Acknowledgement> producer;
    private final Topics topics;
    private final Function<WorkflowMessage, Acknowledgement> decide;
    /** Recently acknowledged message ids; redeliveries come from the last uncommitted polls, so a window suffices. */
    private final Set<String> acknowledged = java.util.Collections.newSetFromMap(new java.util.LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > REMEMBERED;
        }
    });

    private final AtomicLong handled = new AtomicLong();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread thread;

    private AcknowledgingHandler(
            Map<String, Object> clientConfig,
            Topics topics,
            String groupId,
            Function<WorkflowMessage, Acknowledgement> decide) {
        this.topics = topics;
        this.decide = decide;
        AvroSerdes serdes = new AvroSerdes(clientConfig);
        Map<String, Object> consumerConfig = new HashMap<>(clientConfig);
        consumerConfig.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        consumerConfig.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        consumerConfig.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        consumerConfig.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        this.consumer = new KafkaConsumer<>(
                consumerConfig,
                new StringDeserializer(),
                serdes.valueSerde(WorkflowMessage.class).deserializer());
        Map<String, Object> producerConfig = new HashMap<>(clientConfig);
        producerConfig.put(ProducerConfig.ACKS_CONFIG, "all");
        producerConfig.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        producerConfig.put(ProducerConfig.LINGER_MS_CONFIG, 1);
        this.producer = new KafkaProducer<>(
                producerConfig,
                new StringSerializer(),
                serdes.valueSerde(Acknowledgement.class).serializer());
        this.thread = new Thread(this::run, "handler-" + groupId);
    }

    /** Starts a handler that acknowledges every message as succeeded. */
    public static AcknowledgingHandler start(Map<String, Object> clientConfig, Topics topics, String groupId) {
        return start(clientConfig, topics, groupId, AcknowledgingHandler::succeeded);
    }

    public static AcknowledgingHandler start(
            Map<String, Object> clientConfig,
            Topics topics,
            String groupId,
            Function<WorkflowMessage, Acknowledgement> decide) {
        AcknowledgingHandler handler = new AcknowledgingHandler(clientConfig, topics, groupId, decide);
        handler.thread.start();
        return handler;
    }

    public static Acknowledgement succeeded(WorkflowMessage message) {
        return Acknowledgement.newBuilder()
                .setMessageId(message.getMessageId())
                .setInstanceId(message.getInstanceId())
                .setOutcome(Outcome.SUCCEEDED)
                .setReplyToken(message.getReplyToken())
                .build();
    }

    /** Messages acknowledged so far. */
    public long handled() {
        return handled.get();
    }

    private void run() {
        try {
            consumer.subscribe(List.of(topics.messages()));
            while (running.get()) {
                var records = consumer.poll(Duration.ofMillis(200));
                for (ConsumerRecord<String, WorkflowMessage> record : records) {
                    handle(record.value());
                }
                if (!records.isEmpty()) {
                    producer.flush();
                    consumer.commitSync();
                }
            }
        } catch (WakeupException e) {
            if (running.get()) {
                throw e;
            }
        } catch (RuntimeException e) {
            log.error("handler stopped", e);
        } finally {
            consumer.close();
        }
    }

    private void handle(WorkflowMessage message) {
        if (!acknowledged.add(message.getMessageId())) {
            return; // already acknowledged: idempotent by message id
        }
        Acknowledgement ack = decide.apply(message);
        if (ack.getReplyToken() == null && ack.getMessageId().equals(message.getMessageId())) {
            ack.setReplyToken(message.getReplyToken()); // the runtime ignores an acknowledgement without it
        }
        producer.send(new ProducerRecord<>(topics.acks(), message.getInstanceId(), ack));
        handled.incrementAndGet();
    }

    @Override
    public void close() {
        running.set(false);
        consumer.wakeup();
        try {
            thread.join(Duration.ofSeconds(10).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        producer.close(Duration.ofSeconds(5));
    }
}
