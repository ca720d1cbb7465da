package dev.loopline.api.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.loopline.api.v1.AckError;
import dev.loopline.api.v1.Acknowledgement;
import dev.loopline.api.v1.Outcome;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.EncoderFactory;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class WireFormatAvroSerdeTest {

    private final String scope = UUID.randomUUID().toString();
    private final WireFormatAvroSerde<Acknowledgement> serde =
            WireFormatAvroSerde.forValues(Acknowledgement.class, Map.of("schema.registry.url", "mock://" + scope));

    @AfterEach
    void dropScope() {
        MockSchemaRegistry.drop(scope);
    }

    @Test
    void shouldWriteMagicByteThenSchemaIdThenAvroAndReadItBack() {
        Acknowledgement ack = ack();

        byte[] bytes = serde.serializer().serialize("loopline.acks", ack);

        int id = MockSchemaRegistry.scope(scope).idOf("loopline.acks-value", Acknowledgement.getClassSchema());
        assertThat(bytes[0]).isZero();
        assertThat(ByteBuffer.wrap(bytes, 1, 4).getInt()).isEqualTo(id);
        assertThat(serde.deserializer().deserialize("loopline.acks", bytes)).isEqualTo(ack);
    }

    @Test
    void shouldReadRecordsWrittenWithAnOlderSchemaUsingTheWriterSchemaFromTheRegistry() throws Exception {
        Schema older = SchemaBuilder.record("Acknowledgement")
                .namespace("dev.loopline.api.v1")
                .fields()
                .requiredString("messageId")
                .requiredString("instanceId")
                .name("outcome")
                .type(Acknowledgement.getClassSchema().getField("outcome").schema())
                .noDefault()
                .endRecord();
        int olderId = MockSchemaRegistry.scope(scope).register("loopline.acks-value", older);
        GenericRecord record = new GenericData.Record(older);
        record.put("messageId", "m-1");
        record.put("instanceId", "i-1");
        record.put(
                "outcome", new GenericData.EnumSymbol(older.getField("outcome").schema(), "SUCCEEDED"));
        var out = new java.io.ByteArrayOutputStream();
        out.write(0);
        out.writeBytes(ByteBuffer.allocate(4).putInt(olderId).array());
        var encoder = EncoderFactory.get().binaryEncoder(out, null);
        new GenericDatumWriter<GenericRecord>(older).write(record, encoder);
        encoder.flush();

        Acknowledgement read = serde.deserializer().deserialize("loopline.acks", out.toByteArray());

        assertThat(read.getMessageId()).isEqualTo("m-1");
        assertThat(read.getOutcome()).isEqualTo(Outcome.SUCCEEDED);
        assertThat(read.getOutput()).isEmpty();
        assertThat(read.getError()).isNull();
    }

    @Test
    void shouldRejectBytesThatAreNotInTheWireFormatWithAClearMessage() {
        assertThatThrownBy(() -> serde.deserializer().deserialize("loopline.acks", "{\"json\":true}".getBytes()))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("not in the Confluent wire format")
                .hasMessageContaining("0x7b");
    }

    @Test
    void shouldRejectAnUnknownSchemaId() {
        byte[] bytes = {0, 0, 0, 0, 42, 2, 'x'};

        assertThatThrownBy(() -> serde.deserializer().deserialize("loopline.acks", bytes))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("42");
    }

    @Test
    void shouldNotRegisterWhenAutoRegisterIsOffAndSchemaIsUnknown() {
        var strict = WireFormatAvroSerde.forValues(
                Acknowledgement.class,
                Map.of("schema.registry.url", "mock://" + scope, "auto.register.schemas", "false"));

        assertThatThrownBy(() -> strict.serializer().serialize("loopline.acks", ack()))
                .isInstanceOf(SchemaRegistryException.class)
                .hasMessageContaining("loopline.acks-value");
    }

    @Test
    void shouldUseAPluggedInSerdeClassWhenConfigured() {
        var serdes = new AvroSerdes(
                Map.of("schema.registry.url", "mock://" + scope, AvroSerdes.SERDE_CLASS, PluggedSerde.class.getName()));

        assertThat(serdes.valueSerde(Acknowledgement.class)).isInstanceOf(PluggedSerde.class);
        assertThat(PluggedSerde.lastConfig).containsEntry("specific.avro.reader", "true");
    }

    @Test
    void shouldExplainAPluggedInClassThatIsNotASerde() {
        var serdes =
                new AvroSerdes(Map.of("schema.registry.url", "mock://x", AvroSerdes.SERDE_CLASS, "java.lang.String"));

        assertThatThrownBy(() -> serdes.valueSerde(Acknowledgement.class))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("loopline.avro.serde.class=java.lang.String");
    }

    private static Acknowledgement ack() {
        return Acknowledgement.newBuilder()
                .setMessageId("i-1/started")
                .setInstanceId("i-1")
                .setOutcome(Outcome.FAILED)
                .setOutput(Map.of("amount", 12L, "approved", false))
                .setError(AckError.newBuilder()
                        .setCode("Busy")
                        .setMessage("try later")
                        .build())
                .build();
    }

    /** Stands for a third-party serde (Confluent's) plugged in by class name. */
    public static final class PluggedSerde
            extends org.apache.kafka.common.serialization.Serdes.WrapperSerde<Acknowledgement> {
        static Map<String, Object> lastConfig;

        public PluggedSerde() {
            super((t, v) -> new byte[0], (t, b) -> null);
        }

        @Override
        public void configure(Map<String, ?> configs, boolean isKey) {
            lastConfig = Map.copyOf(configs);
        }
    }
}
