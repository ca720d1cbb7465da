package dev.loopline.gateway.query.store;

import dev.loopline.api.internal.MessageEntry;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The "query-messages" store. Key: {@code <message id>}, which is {@code <instance id>/<position>}
 * ({@code …/started}, {@code …/step-3}, {@code …/step-3/attempt-2}) → {@link MessageEntry}. So an
 * instance's messages are the range {@code [<instance id>/, <instance id>0)} ({@code '0'} follows
 * {@code '/'}), which goes when the instance does.
 */
public final class MessageStore {

    private final KeyValueStore<String, MessageEntry> store;

    private MessageStore(KeyValueStore<String, MessageEntry> store) {
        this.store = store;
    }

    public static MessageStore from(ProcessorContext<?, ?> context, String storeName) {
        return new MessageStore(context.getStateStore(storeName));
    }

    /** The first key of an instance's messages. */
    public static String from(String instanceId) {
        return instanceId + "/";
    }

    /** The key after the last of an instance's messages. */
    public static String to(String instanceId) {
        return instanceId + "0";
    }

    public MessageEntry get(String messageId) {
        return store.get(messageId);
    }

    public void put(MessageEntry entry) {
        store.put(entry.getMessageId(), entry);
    }

    /** Deletes every message of the instance. */
    public void deleteInstance(String instanceId) {
        List<String> keys = new ArrayList<>();
        try (KeyValueIterator<String, MessageEntry> range = store.range(from(instanceId), to(instanceId))) {
            while (range.hasNext()) {
                KeyValue<String, MessageEntry> next = range.next();
                if (next.key.compareTo(to(instanceId)) < 0) {
                    keys.add(next.key);
                }
            }
        }
        keys.forEach(store::delete);
    }
}
