package dev.loopline.gateway.query.streams;

import dev.loopline.api.serde.SchemaRegistryException;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * A deserializer that reads what it cannot read as absent (the processors skip null values):
 * for topics whose bad records the runtime already dead-letters. A registry that did not answer is
 * not a bad record: that still fails, so the record is read again.
 */
final class Lenient {

    private Lenient() {}

    static <T> Deserializer<T> of(Deserializer<T> reader) {
        return (topic, bytes) -> {
            try {
                return bytes == null ? null : reader.deserialize(topic, bytes);
            } catch (RuntimeException e) {
                if (SchemaRegistryException.isTransient(e)) {
                    throw e;
                }
                return null;
            }
        };
    }
}
