package dev.loopline.runtime.topology;

import dev.loopline.api.serde.SchemaRegistryException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deserializers for the records that come from outside the runtime (events, acknowledgements,
 * definitions): bounded in size, and, for the global stores, tolerant.
 */
final class InputLimits {

    private static final Logger log = LoggerFactory.getLogger(InputLimits.class);

    private InputLimits() {}

    /**
     * Refuses a record larger than {@code maxBytes} as unreadable, so that it goes to the dead-letter
     * topic ({@link BadRecordHandler}). Bounding the inputs bounds what the runtime writes from them:
     * a start command carries its event and its definition, an instance keeps both.
     */
    static <T> Deserializer<T> bounded(Deserializer<T> inner, int maxBytes) {
        return (topic, bytes) -> {
            if (bytes != null && bytes.length > maxBytes) {
                throw new SerializationException("a record of " + bytes.length + " bytes on " + topic
                        + " is over the limit of " + maxBytes + " bytes (LOOPLINE_LIMIT_RECORD_BYTES)");
            }
            return inner.deserialize(topic, bytes);
        };
    }

    /**
     * For the global stores: reads a record that cannot be read as absent (a tombstone), and logs
     * it. Kafka Streams' global thread cannot dead-letter, and a global thread that fails is not
     * replaced: one garbage record on a global topic would stop every process that restores it. Absent
     * is what a process that restores the topic after compaction sees anyway, where the garbage is
     * the last record of its key, so every process agrees. The record reaches the dead-letter topic
     * once, through the instance half's audit of the global topics ({@code LooplineTopology}).
     *
     * <p>A record that could not be read because the schema registry did not answer is not garbage:
     * that failure is thrown, and the global thread stops rather than forget a definition.
     */
    static <T> Deserializer<T> absentIfUnreadable(Deserializer<T> inner) {
        return (topic, bytes) -> {
            try {
                return inner.deserialize(topic, bytes);
            } catch (RuntimeException e) {
                if (SchemaRegistryException.isTransient(e)) {
                    throw e;
                }
                log.warn("an unreadable record on {} is read as absent: {}", topic, e.getMessage());
                return null;
            }
        };
    }
}
