package dev.loopline.runtime.store;

import dev.loopline.api.internal.RecordRuns;
import dev.loopline.runtime.domain.CorrelationKeys;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The "record-runs" store, in the event half, for the loop guard: {@code <definition id>␟<entity
 * type>␟<entity id>} → {@link RecordRuns}, the times the definition started on that record within
 * the guard's window. Events are keyed by entity id, so every run on one record is counted in one
 * task.
 */
public final class RecordRunsStore {

    private final KeyValueStore<String, RecordRuns> store;

    private RecordRunsStore(KeyValueStore<String, RecordRuns> store) {
        this.store = store;
    }

    public static RecordRunsStore from(ProcessorContext<?, ?> context, String storeName) {
        return new RecordRunsStore(context.getStateStore(storeName));
    }

    /** The definition's runs on the record, oldest first (none: an empty list). */
    public List<Instant> runs(String definitionId, String entityType, String entityId) {
        RecordRuns runs = store.get(key(definitionId, entityType, entityId));
        return runs == null ? List.of() : runs.getStartedAt();
    }

    public void put(String definitionId, String entityType, String entityId, List<Instant> runs) {
        store.put(key(definitionId, entityType, entityId), new RecordRuns(runs));
    }

    static String key(String definitionId, String entityType, String entityId) {
        return definitionId + CorrelationKeys.SEPARATOR + entityType + CorrelationKeys.SEPARATOR + entityId;
    }
}
