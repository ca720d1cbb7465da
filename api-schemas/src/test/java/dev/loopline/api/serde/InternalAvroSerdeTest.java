package dev.loopline.api.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.loopline.api.internal.BufferedEvent;
import dev.loopline.api.internal.TimerEntry;
import dev.loopline.api.v1.PlatformEvent;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificData;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class InternalAvroSerdeTest {

    private final InternalAvroSerde<BufferedEvent> serde = new InternalAvroSerde<>(BufferedEvent.class);

    @Test
    void shouldWriteExactlyWhatAvrosSingleObjectEncoderWrites() throws Exception {
        // state written before the buffered encoder must stay readable, and the reverse
        BufferedEvent value = bufferedEvent("x".repeat(5_000)); // larger than the encoder's 2 KiB buffer
        ByteBuffer avro = new BinaryMessageEncoder<BufferedEvent>(SpecificData.get(), BufferedEvent.getClassSchema())
                .encode(value);
        byte[] expected = new byte[avro.remaining()];
        avro.get(expected);

        assertThat(serde.encode(value)).isEqualTo(expected);
        assertThat(serde.decode(expected)).isEqualTo(value);
    }

    @Test
    void shouldNotLeakOneRecordIntoTheNextThroughTheReusedBuffer() {
        InternalAvroSerde<TimerEntry> timers = new InternalAvroSerde<>(TimerEntry.class);
        byte[] big = serde.encode(bufferedEvent("y".repeat(100_000)));
        byte[] small = timers.encode(new TimerEntry("instance-1", "0/1"));
        byte[] bigAgain = serde.encode(bufferedEvent("y".repeat(100_000)));

        assertThat(timers.decode(small)).isEqualTo(new TimerEntry("instance-1", "0/1"));
        assertThat(small.length).isLessThan(40);
        assertThat(bigAgain).isEqualTo(big);
    }

    @Test
    void shouldRefuseAnotherSchemasRecordNamingItsFingerprint() {
        byte[] timer = new InternalAvroSerde<>(TimerEntry.class).encode(new TimerEntry("instance-1", "0/1"));

        assertThatThrownBy(() -> serde.decode(timer))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("cannot decode BufferedEvent");
    }

    @Test
    void shouldRefuseATruncatedRecordRatherThanReadPastIt() {
        byte[] whole = serde.encode(bufferedEvent("z".repeat(100)));
        byte[] truncated = Arrays.copyOf(whole, whole.length - 20);

        assertThatThrownBy(() -> serde.decode(truncated))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("cannot decode BufferedEvent");
    }

    @Test
    void shouldRefuseBytesTooShortForTheHeader() {
        assertThatThrownBy(() -> serde.decode(new byte[] {(byte) 0xC3, 0x01, 7}))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("cannot decode BufferedEvent");
    }

    @Test
    void shouldNotCarryAFailedWriteIntoTheNextRecord() {
        BufferedEvent valid = bufferedEvent("w".repeat(10));
        byte[] expected = serde.encode(valid);
        BufferedEvent broken = bufferedEvent("w".repeat(3_000)); // more than the encoder buffers at once
        broken.setDeliveredTo(java.util.Arrays.asList("a", null)); // fails after the event was written

        assertThatThrownBy(() -> serde.encode(broken)).isInstanceOf(RuntimeException.class);
        assertThat(serde.encode(valid)).isEqualTo(expected);
        assertThat(serde.decode(serde.encode(valid))).isEqualTo(valid);
    }

    private static BufferedEvent bufferedEvent(String attribute) {
        PlatformEvent event = PlatformEvent.newBuilder()
                .setEventId("event-1")
                .setSource("tests")
                .setEntityType("expense_report")
                .setEntityId("ER-1")
                .setMessageName("Submitted")
                .setAttributes(Map.<String, Object>of("note", attribute))
                .setOccurredAt(Instant.ofEpochMilli(1_700_000_000_000L))
                .build();
        return new BufferedEvent(event, Instant.ofEpochMilli(1_700_000_100_000L), List.of("a", "b"));
    }
}
