package dev.loopline.api.serde;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Avro for generated classes in the Confluent wire format: byte 0, the schema id as a 4-byte
 * big-endian int, then the Avro binary body. The subject is {@code <topic>-value} (or {@code -key}),
 * Confluent's TopicNameStrategy.
 *
 * <p>Why this exists: Confluent's {@code io.confluent:kafka-avro-serializer} cannot be obtained in
 * this project's build environment, so this is written once against the public wire format and the
 * registry's REST API. It is deliberately small: specific records only, TopicNameStrategy only.
 * Deployments that have Confluent's serde can use it instead by configuration (see {@link AvroSerdes}).
 *
 * <p>Configuration uses Confluent's key names: {@code schema.registry.url} and {@code
 * auto.register.schemas} (default true).
 */
public final class WireFormatAvroSerde<T extends SpecificRecord> implements Serde<T> {

    public static final String SCHEMA_REGISTRY_URL = "schema.registry.url";
    public static final String AUTO_REGISTER_SCHEMAS = "auto.register.schemas";
    static final byte MAGIC_BYTE = 0;
    private static final int HEADER_SIZE = 5;

    static {
        AvroTrust.trustLooplinePackages();
    }

    private final Class<T> type;
    private final Schema readerSchema;
    private final Map<Integer, SpecificDatumReader<T>> readersByWriterId = new ConcurrentHashMap<>();
    /** By topic rather than subject: no subject string built per record. */
    private final Map<String, byte[]> headersByTopic = new ConcurrentHashMap<>();

    private final SpecificDatumWriter<T> writer;
    private SchemaRegistryClient registry;
    private boolean autoRegister = true;
    private boolean isKey;

    public WireFormatAvroSerde(Class<T> type) {
        this.type = Objects.requireNonNull(type, "type");
        this.readerSchema = SpecificData.get().getSchema(type);
        this.writer = new SpecificDatumWriter<>(readerSchema);
    }

    /** A configured value serde, convenient outside Kafka's reflective configuration. */
    public static <T extends SpecificRecord> WireFormatAvroSerde<T> forValues(Class<T> type, Map<String, ?> config) {
        WireFormatAvroSerde<T> serde = new WireFormatAvroSerde<>(type);
        serde.configure(config, false);
        return serde;
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        Object url = configs.get(SCHEMA_REGISTRY_URL);
        if (url == null) {
            throw new IllegalArgumentException(SCHEMA_REGISTRY_URL + " is required");
        }
        Object auto = configs.get(AUTO_REGISTER_SCHEMAS);
        this.autoRegister = auto == null || Boolean.parseBoolean(auto.toString());
        this.registry = SchemaRegistryClient.forUrl(url.toString(), configs);
        this.isKey = isKey;
    }

    @Override
    public Serializer<T> serializer() {
        return this::serialize;
    }

    @Override
    public Deserializer<T> deserializer() {
        return this::deserialize;
    }

    public byte[] serialize(String topic, T data) {
        if (data == null) {
            return null;
        }
        byte[] header = headersByTopic.get(topic);
        if (header == null) {
            header = headersByTopic.computeIfAbsent(topic, t -> header(subject(t)));
        }
        try {
            return AvroBytes.write(header, writer, data);
        } catch (IOException | RuntimeException e) {
            throw new SerializationException(
                    "cannot serialize " + type.getSimpleName() + " for " + topic + ": " + e, e);
        }
    }

    public T deserialize(String topic, byte[] bytes) {
        if (bytes == null) {
            return null;
        }
        if (bytes.length < HEADER_SIZE || bytes[0] != MAGIC_BYTE) {
            throw new SerializationException("not in the Confluent wire format (expected magic byte 0 and a "
                    + "4-byte schema id) on " + topic + ": " + bytes.length + " bytes starting with "
                    + (bytes.length == 0 ? "nothing" : String.format("0x%02x", bytes[0])));
        }
        int writerId = ByteBuffer.wrap(bytes, 1, 4).getInt();
        SpecificDatumReader<T> reader = readersByWriterId.computeIfAbsent(writerId, this::readerFor);
        BinaryDecoder decoder =
                DecoderFactory.get().binaryDecoder(bytes, HEADER_SIZE, bytes.length - HEADER_SIZE, null);
        try {
            return reader.read(null, decoder);
        } catch (IOException | RuntimeException e) {
            throw new SerializationException(
                    "cannot decode " + type.getSimpleName() + " (writer schema " + writerId + ") on " + topic + ": "
                            + e,
                    e);
        }
    }

    /**
     * A reader from the writer's schema to this type's. A record of another type (an event written to
     * the definitions topic, say) is refused here, by name, even where Avro's schema resolution would
     * happen to succeed and read it as a record of this type with default values.
     */
    private SpecificDatumReader<T> readerFor(int writerId) {
        Schema writerSchema = registry.schemaById(writerId);
        if (!writerSchema.getFullName().equals(readerSchema.getFullName())) {
            throw new SerializationException("writer schema " + writerId + " is " + writerSchema.getFullName()
                    + ", not " + readerSchema.getFullName());
        }
        return new SpecificDatumReader<>(writerSchema, readerSchema);
    }

    private String subject(String topic) {
        return topic + (isKey ? "-key" : "-value");
    }

    /** Magic byte 0 and the subject's 4-byte schema id (big-endian), looked up once per subject. */
    private byte[] header(String subject) {
        return ByteBuffer.allocate(HEADER_SIZE)
                .put(MAGIC_BYTE)
                .putInt(lookUpId(subject))
                .array();
    }

    private int lookUpId(String subject) {
        if (registry == null) {
            throw new IllegalStateException("serde used before configure()");
        }
        return autoRegister ? registry.register(subject, readerSchema) : registry.idOf(subject, readerSchema);
    }
}
