package dev.loopline.runtime.topology;

import dev.loopline.api.internal.DefinitionHealth;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/** Keeps the global definition-health store equal to the compacted definition-health topic. */
final class DefinitionHealthUpdater implements Processor<String, DefinitionHealth, Void, Void> {

    private KeyValueStore<String, DefinitionHealth> health;

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        health = context.getStateStore(LooplineTopology.DEFINITION_HEALTH_STORE);
    }

    @Override
    public void process(Record<String, DefinitionHealth> record) {
        if (record.key() == null) {
            return;
        }
        if (record.value() == null) {
            health.delete(record.key());
        } else {
            health.put(record.key(), record.value());
        }
    }
}
