package dev.loopline.runtime.store;

import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * A global store kept equal to its compacted topic, key for key: "definitions-catalog" ({@code
 * <definition id>} → the definition's latest version) and "definition-health" ({@code <definition
 * id>} → its failures in a row). A tombstone removes the key.
 */
public final class GlobalStoreCopy<V> {

    private final KeyValueStore<String, V> store;

    private GlobalStoreCopy(KeyValueStore<String, V> store) {
        this.store = store;
    }

    public static <V> GlobalStoreCopy<V> from(ProcessorContext<?, ?> context, String storeName) {
        return new GlobalStoreCopy<>(context.getStateStore(storeName));
    }

    /** Applies one record of the topic; a record without a key is not the topic's and is skipped. */
    public void apply(String key, V value) {
        if (key == null) {
            return;
        }
        if (value == null) {
            store.delete(key);
        } else {
            store.put(key, value);
        }
    }
}
