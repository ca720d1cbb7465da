package dev.loopline.runtime.topology;

import dev.loopline.api.v1.WorkflowDefinition;
import dev.loopline.runtime.store.GlobalStoreCopy;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Keeps the global definitions catalog equal to the compacted definitions topic, and raises the
 * shared change counter after each write so that readers reload their decoded copy.
 */
final class DefinitionCatalogUpdater implements Processor<String, WorkflowDefinition, Void, Void> {

    private final AtomicLong changes;
    private GlobalStoreCopy<WorkflowDefinition> catalog;

    DefinitionCatalogUpdater(AtomicLong changes) {
        this.changes = changes;
    }

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        catalog = GlobalStoreCopy.from(context, LooplineTopology.DEFINITIONS_STORE);
    }

    @Override
    public void process(Record<String, WorkflowDefinition> record) {
        if (record.key() == null) {
            return;
        }
        catalog.apply(record.key(), record.value());
        changes.incrementAndGet();
    }
}
