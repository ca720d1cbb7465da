package dev.loopline.gateway.query.store;

import dev.loopline.api.internal.InstanceSummary;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;

/** The "query-summaries" store. Key: {@code <instance id>} → {@link InstanceSummary}, its latest state. */
public final class SummaryStore {

    private final KeyValueStore<String, InstanceSummary> store;

    private SummaryStore(KeyValueStore<String, InstanceSummary> store) {
        this.store = store;
    }

    public static SummaryStore from(ProcessorContext<?, ?> context, String storeName) {
        return new SummaryStore(context.getStateStore(storeName));
    }

    public InstanceSummary get(String instanceId) {
        return store.get(instanceId);
    }

    public void put(InstanceSummary summary) {
        store.put(summary.getInstanceId(), summary);
    }

    public void delete(String instanceId) {
        store.delete(instanceId);
    }
}
