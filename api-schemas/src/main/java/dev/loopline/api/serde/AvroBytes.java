package dev.loopline.api.serde;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;

/**
 * Writes a header and an Avro binary body into one byte array, through a buffer and a buffered
 * encoder kept per thread. Avro's direct encoder (and its single-object encoder, which uses one)
 * writes every value into the output stream separately; into a {@link ByteArrayOutputStream} that
 * is one synchronized call per field, which profiling showed as the top frame of the runtime's
 * stream thread (docs/benchmarks.md, "Tuning"). The buffered encoder hands the stream whole blocks.
 */
final class AvroBytes {

    /** A buffer that grew past this is dropped after use rather than kept for the thread. */
    private static final int MAX_KEPT_BYTES = 64 * 1024;

    private static final ThreadLocal<Buffers> BUFFERS = ThreadLocal.withInitial(Buffers::new);

    private static final class Buffers {
        ByteArrayOutputStream out = new ByteArrayOutputStream(1024);
        BinaryEncoder encoder;
    }

    private AvroBytes() {}

    static <T> byte[] write(byte[] header, DatumWriter<T> writer, T datum) throws IOException {
        Buffers buffers = BUFFERS.get();
        ByteArrayOutputStream out = buffers.out;
        out.reset();
        out.write(header);
        buffers.encoder = EncoderFactory.get().binaryEncoder(out, buffers.encoder);
        try {
            writer.write(datum, buffers.encoder);
        } catch (IOException | RuntimeException e) {
            // the encoder still buffers what it wrote before the failure, and reusing it would flush
            // that into the next record: drop it
            buffers.encoder = null;
            throw e;
        }
        buffers.encoder.flush();
        byte[] bytes = out.toByteArray();
        if (out.size() > MAX_KEPT_BYTES) {
            buffers.out = new ByteArrayOutputStream(1024);
        }
        return bytes;
    }

    /**
     * Reads the Avro binary body that starts at {@code offset}, through a binary decoder that reads
     * the array itself. Avro's single-object decoder reads through a direct decoder over a {@code
     * ByteArrayInputStream}: one synchronized call per byte of every varint, which profiling showed
     * at half of the stream thread's decoding time (docs/benchmarks.md, "Tuning"). The decoded record copies what it keeps.
     */
    static <T> T read(DatumReader<T> reader, byte[] bytes, int offset) throws IOException {
        return reader.read(null, DecoderFactory.get().binaryDecoder(bytes, offset, bytes.length - offset, null));
    }
}
