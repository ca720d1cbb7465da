package dev.loopline.api.serde;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Avro single-object encoding (a 2-byte marker, the schema's 8-byte fingerprint, then the binary
 * body) for records that only Loopline's own processes read: the instance-commands topic and state
 * store changelogs. No registry round trip; the reader knows every schema version it was built with.
 */
public final class InternalAvroSerde<T extends SpecificRecord> implements Serde<T> {

    static {
        AvroTrust.trustLooplinePackages();
    }

    /** Single-object encoding's marker, before the schema fingerprint. */
    private static final byte[] MARKER = {(byte) 0xC3, 0x01};

    private final Class<T> type;
    /** The marker and the schema's CRC-64-AVRO fingerprint (little-endian), as Avro's BinaryMessageEncoder writes them. */
    private final byte[] header;

    private final SpecificDatumWriter<T> writer;
    private final SpecificDatumReader<T> reader;
    /** For bytes with another header: it names the unknown fingerprint in its error. */
    private final BinaryMessageDecoder<T> decoder;

    public InternalAvroSerde(Class<T> type) {
        this.type = type;
        var schema = SpecificData.get().getSchema(type);
        this.header = ByteBuffer.allocate(MARKER.length + Long.BYTES)
                .order(ByteOrder.LITTLE_ENDIAN)
                .put(MARKER)
                .putLong(SchemaNormalization.parsingFingerprint64(schema))
                .array();
        this.writer = new SpecificDatumWriter<>(schema, SpecificData.get());
        this.reader = new SpecificDatumReader<>(schema, schema, SpecificData.get());
        this.decoder = new BinaryMessageDecoder<>(SpecificData.get(), schema);
    }

    /** The same bytes as Avro's {@code BinaryMessageEncoder}, written through a buffered encoder (see AvroBytes). */
    public byte[] encode(T value) {
        try {
            return AvroBytes.write(header, writer, value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Avro's single-object decoding, read through a buffered decoder when the header is this schema's (see AvroBytes). */
    public T decode(byte[] bytes) {
        try {
            return bytes.length >= header.length && Arrays.equals(bytes, 0, header.length, header, 0, header.length)
                    ? AvroBytes.read(reader, bytes, header.length)
                    : decoder.decode(bytes);
        } catch (IOException | RuntimeException e) {
            throw new SerializationException("cannot decode " + type.getSimpleName() + ": " + e, e);
        }
    }

    @Override
    public Serializer<T> serializer() {
        return (topic, value) -> value == null ? null : encode(value);
    }

    @Override
    public Deserializer<T> deserializer() {
        return (topic, bytes) -> bytes == null ? null : decode(bytes);
    }
}
