package dev.loopline.testsupport.handler;

import dev.loopline.api.Topics;
import dev.loopline.api.v1.Acknowledgement;
import dev.loopline.api.v1.WorkflowMessage;
import dev.loopline.client.Ack;
import dev.loopline.client.ClientListener;
import dev.loopline.client.LooplineClient;
import dev.loopline.client.Message;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerConfig;

/**
 * The tests' application: a {@link LooplineClient} that answers every message of a deployment
 * (succeeded, unless a function says otherwise) and counts the acknowledgements it wrote.
 */
public final class AcknowledgingHandler implements AutoCloseable {

    private final AtomicLong handled = new AtomicLong();
    private final LooplineClient client;

    private AcknowledgingHandler(
            Map<String, Object> clientConfig, Topics topics, String groupId, Function<WorkflowMessage, Ack> decide) {
        Map<String, Object> config = new HashMap<>(clientConfig);
        config.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        this.client = LooplineClient.builder(config)
                .topics(topics)
                .otherwise(message -> decide.apply(message.record()))
                .shutdownTimeout(Duration.ofSeconds(5))
                .listener(new ClientListener() {
                    @Override
                    public void acknowledged(Message message, Ack ack, Duration took) {
                        handled.incrementAndGet();
                    }
                })
                .start();
    }

    /** Starts a handler that acknowledges every message as succeeded. */
    public static AcknowledgingHandler start(Map<String, Object> clientConfig, Topics topics, String groupId) {
        return start(clientConfig, topics, groupId, message -> Ack.succeeded());
    }

    public static AcknowledgingHandler start(
            Map<String, Object> clientConfig, Topics topics, String groupId, Function<WorkflowMessage, Ack> decide) {
        return new AcknowledgingHandler(clientConfig, topics, groupId, decide);
    }

    /** The acknowledgement record of a success, as a handler would write it. */
    public static Acknowledgement succeeded(WorkflowMessage message) {
        return Ack.succeeded().toRecord(message);
    }

    /** Acknowledgements written so far. */
    public long handled() {
        return handled.get();
    }

    @Override
    public void close() {
        client.close();
    }
}
