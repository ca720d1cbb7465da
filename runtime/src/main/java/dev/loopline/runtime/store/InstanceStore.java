package dev.loopline.runtime.store;

import dev.loopline.api.internal.InstanceRecord;
import java.util.Optional;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The "instances" store: {@code instanceId → InstanceRecord} (single-object Avro), RocksDB with a
 * changelog. One entry per live instance; an idle instance is only bytes on disk.
 */
public final class InstanceStore {

    private final KeyValueStore<String, InstanceRecord> store;

    private InstanceStore(KeyValueStore<String, InstanceRecord> store) {
        this.store = store;
    }

    public static InstanceStore from(ProcessorContext<?, ?> context, String storeName) {
        return new InstanceStore(context.getStateStore(storeName));
    }

    public Optional<InstanceRecord> get(String instanceId) {
        return Optional.ofNullable(store.get(instanceId));
    }

    public void put(InstanceRecord instance) {
        store.put(instance.getInstanceId(), instance);
    }

    public void delete(String instanceId) {
        store.delete(instanceId);
    }
}
