package dev.loopline.gateway.query.streams;

import dev.loopline.api.internal.InstanceSummary;
import dev.loopline.api.v1.InstanceTransition;
import dev.loopline.gateway.query.ReadModel;
import dev.loopline.gateway.query.store.CountStore;
import dev.loopline.gateway.query.store.HistoryStore;
import dev.loopline.gateway.query.store.IndexStore;
import dev.loopline.gateway.query.store.MessageStore;
import dev.loopline.gateway.query.store.SummaryStore;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Applies each record of the transitions topic to the query stores: the history, then what {@link
 * ReadModel} decides for the summary, the indexes and the counts; a deleted instance's messages go
 * with it. All of it commits with the input
 * offset in one transaction.
 */
final class TransitionIndexer implements Processor<String, InstanceTransition, Void, Void> {

    private SummaryStore summaries;
    private HistoryStore history;
    private IndexStore index;
    private CountStore counts;
    private MessageStore messages;

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        summaries = SummaryStore.from(context, QueryTopology.SUMMARIES);
        history = HistoryStore.from(context, QueryTopology.HISTORY);
        index = IndexStore.from(context, QueryTopology.INDEX);
        counts = CountStore.from(context, QueryTopology.COUNTS);
        messages = MessageStore.from(context, QueryTopology.MESSAGES);
    }

    @Override
    public void process(Record<String, InstanceTransition> record) {
        String instanceId = record.value() != null ? record.value().getInstanceId() : record.key();
        if (instanceId == null) {
            return;
        }
        InstanceSummary current = summaries.get(instanceId);
        ReadModel.Change change;
        if (record.value() == null) {
            change = ReadModel.delete(current); // a tombstone: the runtime removed the instance
            history.delete(instanceId);
            messages.deleteInstance(instanceId);
        } else {
            history.put(record.value());
            change = ReadModel.apply(current, record.value());
        }
        if (change.isNone()) {
            return;
        }
        if (change.summary() == null) {
            summaries.delete(instanceId);
        } else {
            summaries.put(change.summary());
        }
        index.replace(instanceId, change.indexOut(), change.indexIn());
        counts.move(change.countDown(), change.countUp());
    }
}
