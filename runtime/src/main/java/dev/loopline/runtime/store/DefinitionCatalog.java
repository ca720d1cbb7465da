package dev.loopline.runtime.store;

import dev.loopline.api.v1.WorkflowDefinition;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Read-only view of the "definitions-catalog" global store: {@code definitionId →
 * WorkflowDefinition}, the latest version of each definition with its activation status. Every
 * task of every process holds the whole catalog (it is small: one entry per definition).
 *
 * <p>Every event is matched against every definition, so the decoded list is kept between events.
 * It is read again when the catalog updater reports a write (a shared counter, raised after each
 * write to the store), and at least once a second in case the global store was restored from its
 * topic without passing through the updater.
 *
 * <p>The definitions it hands out are runtime snapshots: the compiled program without the
 * administrator's source document, which the runtime never reads. Every instance keeps its
 * snapshot in its record and every start command carries it, so a multi-kilobyte document would
 * otherwise be written to the instances changelog on every step (it stays in the definitions topic
 * and in the gateway's answers).
 */
public final class DefinitionCatalog {

    private static final long MAX_AGE_NANOS = Duration.ofSeconds(1).toNanos();

    private final KeyValueStore<String, WorkflowDefinition> store;
    private final AtomicLong changes;
    private long loadedAtChange = -1;
    private long loadedAtNanos;
    private List<WorkflowDefinition> loaded = List.of();

    private DefinitionCatalog(KeyValueStore<String, WorkflowDefinition> store, AtomicLong changes) {
        this.store = store;
        this.changes = changes;
    }

    /** @param changes raised by the catalog updater after every write to the store */
    public static DefinitionCatalog from(ProcessorContext<?, ?> context, String storeName, AtomicLong changes) {
        return new DefinitionCatalog(context.getStateStore(storeName), changes);
    }

    /** Every definition, in id order. The list and its definitions are shared: do not change them. */
    public List<WorkflowDefinition> all() {
        long change = changes.get();
        long now = System.nanoTime();
        if (change != loadedAtChange || now - loadedAtNanos > MAX_AGE_NANOS) {
            List<WorkflowDefinition> definitions = new ArrayList<>();
            try (KeyValueIterator<String, WorkflowDefinition> iterator = store.all()) {
                iterator.forEachRemaining(entry -> {
                    if (entry.value != null) { // an unreadable record, read as absent
                        definitions.add(snapshot(entry.value));
                    }
                });
            }
            loaded = List.copyOf(definitions);
            loadedAtChange = change;
            loadedAtNanos = now;
        }
        return loaded;
    }

    /** The definition as instances keep it: everything but the source document. */
    static WorkflowDefinition snapshot(WorkflowDefinition definition) {
        if (definition.getDocument().isEmpty()) {
            return definition;
        }
        return WorkflowDefinition.newBuilder(definition).setDocument("").build();
    }
}
