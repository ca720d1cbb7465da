package dev.loopline.runtime.store;

import dev.loopline.api.v1.WorkflowDefinition;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Read-only view of the "definitions-catalog" global store: {@code definitionId →
 * WorkflowDefinition}, the latest version of each definition with its activation status. Every
 * task of every process holds the whole catalog (it is small: one entry per definition).
 */
public final class DefinitionCatalog {

    private final KeyValueStore<String, WorkflowDefinition> store;

    private DefinitionCatalog(KeyValueStore<String, WorkflowDefinition> store) {
        this.store = store;
    }

    public static DefinitionCatalog from(ProcessorContext<?, ?> context, String storeName) {
        return new DefinitionCatalog(context.getStateStore(storeName));
    }

    /** Every definition, in id order. */
    public List<WorkflowDefinition> all() {
        List<WorkflowDefinition> definitions = new ArrayList<>();
        try (KeyValueIterator<String, WorkflowDefinition> iterator = store.all()) {
            iterator.forEachRemaining(entry -> definitions.add(entry.value));
        }
        return definitions;
    }
}
