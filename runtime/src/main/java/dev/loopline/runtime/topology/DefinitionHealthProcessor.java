package dev.loopline.runtime.topology;

import dev.loopline.api.internal.DefinitionHealth;
import dev.loopline.api.internal.DefinitionOutcome;
import dev.loopline.runtime.domain.event.DefinitionHealthRules;
import dev.loopline.runtime.store.DefinitionHealthStore;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Counts each definition's failures in a row, keyed by definition id (so one task sees all of a
 * definition's outcomes), and publishes the count to the compacted definition-health topic, which
 * every task reads as a global store: the event matcher postpones new jobs of a failing definition
 * for longer and longer, and the first success sets the count back to 0.
 */
final class DefinitionHealthProcessor implements Processor<String, DefinitionOutcome, String, DefinitionHealth> {

    private ProcessorContext<String, DefinitionHealth> context;
    private DefinitionHealthStore failures;

    @Override
    public void init(ProcessorContext<String, DefinitionHealth> context) {
        this.context = context;
        this.failures = DefinitionHealthStore.from(context, LooplineTopology.DEFINITION_FAILURES_STORE);
    }

    @Override
    public void process(Record<String, DefinitionOutcome> record) {
        DefinitionOutcome outcome = record.value();
        if (outcome == null) {
            throw new RejectedRecordException("definition outcome without a value");
        }
        DefinitionHealthRules.after(
                        failures.get(outcome.getDefinitionId()), outcome.getDefinitionId(), outcome.getSucceeded())
                .ifPresent(health -> {
                    failures.put(health);
                    context.forward(record.withKey(outcome.getDefinitionId()).withValue(health));
                });
    }
}
