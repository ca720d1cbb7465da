package dev.loopline.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loopline.api.v1.Acknowledgement;
import dev.loopline.api.v1.InstanceTransition;
import dev.loopline.api.v1.PlatformEvent;
import dev.loopline.api.v1.StepKind;
import dev.loopline.api.v1.WorkflowDefinition;
import dev.loopline.api.v1.WorkflowMessage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Golden-file check: every topic schema must read data written with each released version kept in
 * {@code src/test/resources/released/<Record>/v<N>.avsc} (BACKWARD compatibility, the registry's
 * default). When a schema ships, add its file as the next v<N>.
 */
class SchemaCompatibilityTest {

    static Stream<Arguments> releasedVersions() throws IOException {
        List<Arguments> cases = new ArrayList<>();
        for (Schema current : List.of(
                PlatformEvent.getClassSchema(),
                WorkflowDefinition.getClassSchema(),
                WorkflowMessage.getClassSchema(),
                Acknowledgement.getClassSchema(),
                InstanceTransition.getClassSchema())) {
            List<Schema> released = released(current.getName());
            assertThat(released)
                    .as("released versions of %s", current.getName())
                    .isNotEmpty();
            for (int v = 0; v < released.size(); v++) {
                cases.add(Arguments.of(current.getName(), "v" + (v + 1), current, released.get(v)));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} reads {1}")
    @MethodSource("releasedVersions")
    void currentSchemaReadsEveryReleasedVersion(String name, String version, Schema current, Schema released) {
        var result = SchemaCompatibility.checkReaderWriterCompatibility(current, released);

        assertThat(result.getType())
                .as("%s must read %s: %s", name, version, result.getDescription())
                .isEqualTo(SchemaCompatibilityType.COMPATIBLE);
    }

    @Test
    void shouldDetectAFieldAddedWithoutDefault() throws IOException {
        Schema released = released("Acknowledgement").get(0);
        Schema broken = SchemaBuilder.record("Acknowledgement")
                .namespace("dev.loopline.api.v1")
                .fields()
                .requiredString("messageId")
                .requiredString("tenant")
                .endRecord();

        var result = SchemaCompatibility.checkReaderWriterCompatibility(broken, released);

        assertThat(result.getType()).isEqualTo(SchemaCompatibilityType.INCOMPATIBLE);
    }

    @Test
    void shouldReadAStepKindAddedLaterAsUnknown() throws IOException {
        Schema current = StepKind.getClassSchema();
        List<String> symbols = new ArrayList<>(current.getEnumSymbols());
        symbols.add("PARALLEL");
        Schema newer = Schema.createEnum(current.getName(), null, current.getNamespace(), symbols);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(bytes, null);
        new GenericDatumWriter<GenericData.EnumSymbol>(newer)
                .write(new GenericData.EnumSymbol(newer, "PARALLEL"), encoder);
        encoder.flush();

        StepKind read = new SpecificDatumReader<StepKind>(newer, current)
                .read(null, DecoderFactory.get().binaryDecoder(bytes.toByteArray(), null));

        assertThat(read).isEqualTo(StepKind.UNKNOWN);
    }

    private static List<Schema> released(String record) throws IOException {
        List<Schema> schemas = new ArrayList<>();
        for (int v = 1; ; v++) {
            String path = "/released/" + record + "/v" + v + ".avsc";
            try (InputStream in = SchemaCompatibilityTest.class.getResourceAsStream(path)) {
                if (in == null) {
                    return schemas;
                }
                schemas.add(new Schema.Parser().parse(in));
            }
        }
    }
}
