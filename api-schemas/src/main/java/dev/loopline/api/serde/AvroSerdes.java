package dev.loopline.api.serde;

import java.util.HashMap;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;

/**
 * Makes the value serde of every external topic. By default that is {@link WireFormatAvroSerde};
 * setting {@value #SERDE_CLASS} to another {@code Serde} class with a public no-arg constructor
 * (for example Confluent's {@code io.confluent.kafka.streams.serdes.avro.SpecificAvroSerde}) uses
 * that one instead, configured with the same properties (plus {@code specific.avro.reader=true}).
 */
public final class AvroSerdes {

    /** Fully qualified class name of a value serde to use instead of the built-in one. */
    public static final String SERDE_CLASS = "loopline.avro.serde.class";

    private final Map<String, Object> config;

    public AvroSerdes(Map<String, ?> config) {
        this.config = Map.copyOf(config);
    }

    public <T extends SpecificRecord> Serde<T> valueSerde(Class<T> type) {
        Object pluggedIn = config.get(SERDE_CLASS);
        if (pluggedIn == null || pluggedIn.toString().isBlank()) {
            return WireFormatAvroSerde.forValues(type, config);
        }
        Serde<T> serde = instantiate(pluggedIn.toString());
        Map<String, Object> withReader = new HashMap<>(config);
        withReader.putIfAbsent("specific.avro.reader", "true");
        serde.configure(withReader, false);
        return serde;
    }

    @SuppressWarnings("unchecked")
    private static <T> Serde<T> instantiate(String className) {
        try {
            return (Serde<T>) Class.forName(className).getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException | ClassCastException e) {
            throw new IllegalArgumentException(
                    SERDE_CLASS + "=" + className + " is not a Serde with a public "
                            + "no-arg constructor on the classpath: " + e,
                    e);
        }
    }
}
