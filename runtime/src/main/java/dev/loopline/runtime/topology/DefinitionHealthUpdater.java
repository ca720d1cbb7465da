package dev.loopline.runtime.topology;

import dev.loopline.api.internal.DefinitionHealth;
import dev.loopline.runtime.store.GlobalStoreCopy;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/** Keeps the global definition-health store equal to the compacted definition-health topic. */
final class DefinitionHealthUpdater implements Processor<String, DefinitionHealth, Void, Void> {

    private GlobalStoreCopy<DefinitionHealth> health;

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        health = GlobalStoreCopy.from(context, LooplineTopology.DEFINITION_HEALTH_STORE);
    }

    @Override
    public void process(Record<String, DefinitionHealth> record) {
        health.apply(record.key(), record.value());
    }
}
