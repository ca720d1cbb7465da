package dev.loopline.gateway.query.store;

import dev.loopline.gateway.query.IndexKeys;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The "query-counts" store: this partition's instances by definition, state and status. Key: {@link
 * IndexKeys#count} → the number; a count that falls to zero is deleted.
 */
public final class CountStore {

    private final KeyValueStore<String, Long> store;

    private CountStore(KeyValueStore<String, Long> store) {
        this.store = store;
    }

    public static CountStore from(ProcessorContext<?, ?> context, String storeName) {
        return new CountStore(context.getStateStore(storeName));
    }

    public void move(String down, String up) {
        if (down != null) {
            add(down, -1);
        }
        if (up != null) {
            add(up, 1);
        }
    }

    private void add(String key, long delta) {
        Long current = store.get(key);
        long next = (current == null ? 0 : current) + delta;
        if (next <= 0) {
            store.delete(key);
        } else {
            store.put(key, next);
        }
    }
}
