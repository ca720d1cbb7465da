package dev.loopline.runtime.topology;

import dev.loopline.api.serde.SchemaRegistryException;
import java.util.Map;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Reads each record of the global topics as their global stores do, and rejects to the dead-letter
 * topic, with the reason, what they could not read (and so read as absent, see {@link
 * InputLimits#absentIfUnreadable}). It runs in the instance half's application, as an ordinary
 * task with its offsets committed, so each such record is dead-lettered exactly once, where the
 * global thread of every process reads the whole topic again at every start, and has no producer.
 * A record that could not be read because the schema registry did not answer is not rejected: the
 * task fails and reads it again.
 */
final class GlobalTopicsAudit implements Processor<String, byte[], Void, Void> {

    /** The deserializer of each global topic's global store, by topic. */
    private final Map<String, Deserializer<?>> readers;

    private ProcessorContext<Void, Void> context;

    GlobalTopicsAudit(Map<String, Deserializer<?>> readers) {
        this.readers = readers;
    }

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        this.context = context;
    }

    @Override
    public void process(Record<String, byte[]> record) {
        String topic = context.recordMetadata().orElseThrow().topic();
        try {
            readers.get(topic).deserialize(topic, record.value());
        } catch (RuntimeException e) {
            if (SchemaRegistryException.isTransient(e)) {
                throw e;
            }
            throw new RejectedRecordException(
                    "unreadable, so absent from the global store of " + topic + ": " + e.getMessage(), e);
        }
    }
}
