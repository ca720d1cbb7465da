package dev.loopline.gateway.kafka;

import dev.loopline.api.Topics;
import dev.loopline.api.internal.InstanceCommand;
import dev.loopline.api.internal.OperatorCommand;
import dev.loopline.api.internal.OperatorResult;
import dev.loopline.api.serde.InternalAvroSerde;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Operator actions as request and reply over Kafka. The command goes to the instance-commands
 * topic, keyed by instance id, so whichever runtime process owns the instance applies it with the
 * rules of the state machine. The answer comes back on the operator-results topic, keyed by
 * request id; every gateway reads all of it (from its end at start) and completes its own pending
 * requests. The answer is the runtime's decision, never a guess from a read model.
 */
public final class OperatorChannel implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(OperatorChannel.class);

    private final KafkaProducer<String, InstanceCommand> producer;
    private final KafkaConsumer<String, OperatorResult> consumer;
    private final String commandsTopic;
    private final String resultsTopic;
    private final Map<String, CompletableFuture<OperatorResult>> pending = new ConcurrentHashMap<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread thread;

    public OperatorChannel(Map<String, Object> clientConfig, Topics topics) {
        this.commandsTopic = topics.instanceCommands();
        this.resultsTopic = topics.operatorResults();
        this.producer = new KafkaProducer<>(
                Producers.durable(clientConfig),
                new StringSerializer(),
                new InternalAvroSerde<>(InstanceCommand.class).serializer());
        Map<String, Object> config = new HashMap<>(clientConfig);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.remove(ConsumerConfig.GROUP_ID_CONFIG);
        config.remove(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG); // the query side's static member id, if set
        this.consumer = new KafkaConsumer<>(
                config, new StringDeserializer(), new InternalAvroSerde<>(OperatorResult.class).deserializer());
        this.thread = new Thread(this::run, "operator-results");
        thread.setDaemon(true);
    }

    public void start() {
        List<TopicPartition> partitions = consumer.partitionsFor(resultsTopic).stream()
                .map(p -> new TopicPartition(resultsTopic, p.partition()))
                .toList();
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        partitions.forEach(consumer::position); // settle the positions before any request is sent
        thread.start();
    }

    /** Sends the action and waits for the runtime's answer (empty if none came within the timeout). */
    public Optional<OperatorResult> send(String instanceId, OperatorCommand.Builder command, Duration timeout)
            throws InterruptedException {
        try {
            return sendAsync(instanceId, command, timeout).get();
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    /**
     * Sends the action; the answer completes the future, or an empty one after the timeout. Many
     * may be in flight at once: a bulk action sends a page's worth and then collects them.
     */
    public CompletableFuture<Optional<OperatorResult>> sendAsync(
            String instanceId, OperatorCommand.Builder command, Duration timeout) {
        String requestId = UUID.randomUUID().toString();
        CompletableFuture<OperatorResult> answer = new CompletableFuture<>();
        pending.put(requestId, answer);
        OperatorCommand operation = command.setRequestId(requestId).build();
        try {
            producer.send(Producers.traced(
                    new ProducerRecord<>(commandsTopic, instanceId, new InstanceCommand(instanceId, operation))));
        } catch (RuntimeException e) {
            pending.remove(requestId);
            throw e;
        }
        return answer.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS).handle((result, failure) -> {
            pending.remove(requestId);
            return Optional.ofNullable(failure == null ? result : null);
        });
    }

    private void run() {
        try {
            while (running.get()) {
                for (var record : consumer.poll(Duration.ofMillis(200))) {
                    CompletableFuture<OperatorResult> waiting = pending.get(record.key());
                    if (waiting != null) {
                        waiting.complete(record.value());
                    }
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            log.error("operator results reader stopped", e);
        } finally {
            consumer.close();
        }
    }

    public boolean isRunning() {
        return thread.isAlive();
    }

    @Override
    public void close() {
        running.set(false);
        consumer.wakeup();
        producer.close(Duration.ofSeconds(5));
    }
}
