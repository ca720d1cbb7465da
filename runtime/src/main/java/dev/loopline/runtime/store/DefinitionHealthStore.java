package dev.loopline.runtime.store;

import dev.loopline.api.internal.DefinitionHealth;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * A store of definitions' failures in a row: {@code <definition id>} → {@link DefinitionHealth}.
 * Two stores have this layout: "definition-failures", where the task that counts a definition's
 * outcomes keeps them, and "definition-health", the global copy of the definition-health topic that
 * every task of the event half reads.
 */
public final class DefinitionHealthStore {

    private final KeyValueStore<String, DefinitionHealth> store;

    private DefinitionHealthStore(KeyValueStore<String, DefinitionHealth> store) {
        this.store = store;
    }

    public static DefinitionHealthStore from(ProcessorContext<?, ?> context, String storeName) {
        return new DefinitionHealthStore(context.getStateStore(storeName));
    }

    /** The definition's health; null if it has none (no job of it completed yet). */
    public DefinitionHealth get(String definitionId) {
        return store.get(definitionId);
    }

    /** How many of the definition's last jobs failed in a row. */
    public int consecutiveFailures(String definitionId) {
        DefinitionHealth health = store.get(definitionId);
        return health == null ? 0 : health.getConsecutiveFailures();
    }

    public void put(DefinitionHealth health) {
        store.put(health.getDefinitionId(), health);
    }
}
