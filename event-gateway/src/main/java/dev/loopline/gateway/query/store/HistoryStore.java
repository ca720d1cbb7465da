package dev.loopline.gateway.query.store;

import dev.loopline.api.store.StoreKeys;
import dev.loopline.api.v1.InstanceTransition;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The "query-history" store: every transition of every instance. Key: {@code <instance id>␟<sequence,
 * 10 digits>} → {@link InstanceTransition}, so that one instance's history is one prefix scan, in
 * sequence order. A transition read twice is put twice under one key: the history holds it once.
 */
public final class HistoryStore {

    private final KeyValueStore<String, InstanceTransition> store;

    private HistoryStore(KeyValueStore<String, InstanceTransition> store) {
        this.store = store;
    }

    public static HistoryStore from(ProcessorContext<?, ?> context, String storeName) {
        return new HistoryStore(context.getStateStore(storeName));
    }

    public void put(InstanceTransition transition) {
        store.put(key(transition.getInstanceId(), transition.getSequence()), transition);
    }

    /** The instance's transitions, in sequence order. */
    public List<InstanceTransition> of(String instanceId) {
        List<InstanceTransition> history = new ArrayList<>();
        try (KeyValueIterator<String, InstanceTransition> it =
                store.range(StoreKeys.prefix(instanceId), StoreKeys.prefixEnd(instanceId))) {
            it.forEachRemaining(entry -> history.add(entry.value));
        }
        return history;
    }

    /** Deletes the instance's history. */
    public void delete(String instanceId) {
        List<String> keys = new ArrayList<>();
        try (KeyValueIterator<String, InstanceTransition> it =
                store.range(StoreKeys.prefix(instanceId), StoreKeys.prefixEnd(instanceId))) {
            while (it.hasNext()) {
                KeyValue<String, InstanceTransition> entry = it.next();
                keys.add(entry.key);
            }
        }
        keys.forEach(store::delete);
    }

    private static String key(String instanceId, int sequence) {
        return StoreKeys.join(instanceId, StoreKeys.digits(sequence, 10));
    }
}
