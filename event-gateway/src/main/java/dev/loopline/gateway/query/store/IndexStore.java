package dev.loopline.gateway.query.store;

import dev.loopline.gateway.query.IndexKeys;
import java.util.List;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;

/** The "query-index" store: every secondary index, one key per entry ({@link IndexKeys}) → the instance id. */
public final class IndexStore {

    private final KeyValueStore<String, String> store;

    private IndexStore(KeyValueStore<String, String> store) {
        this.store = store;
    }

    public static IndexStore from(ProcessorContext<?, ?> context, String storeName) {
        return new IndexStore(context.getStateStore(storeName));
    }

    public void replace(String instanceId, List<String> out, List<String> in) {
        out.forEach(store::delete);
        in.forEach(key -> store.put(key, instanceId));
    }
}
