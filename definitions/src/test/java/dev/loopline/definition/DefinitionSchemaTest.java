package dev.loopline.definition;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import dev.loopline.definition.step.StepTypes;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The shipped JSON Schema accepts the examples, rejects what the compiler rejects, and agrees with it
 * on both. Its steps part is what the step types say: after adding or changing one, regenerate it
 * with {@code -Dloopline.golden.update=true} and review the diff.
 */
class DefinitionSchemaTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path SOURCE = Path.of("src/main/resources/dev/loopline/definition/definition.schema.json");

    @Test
    void shouldDescribeEveryStepAsItsTypeDoes() throws IOException {
        ObjectNode shipped;
        try (InputStream in = DefinitionCompiler.class.getResourceAsStream("definition.schema.json")) {
            shipped = (ObjectNode) JSON.readTree(in);
        }
        ObjectNode steps = StepTypes.stepSchema();

        if (Boolean.getBoolean("loopline.golden.update")) {
            ObjectNode source = (ObjectNode) JSON.readTree(SOURCE.toFile());
            ((ObjectNode) source.get("$defs")).set("step", steps);
            Files.writeString(SOURCE, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(source) + "\n");
            shipped = source;
        }
        assertThat(shipped.get("$defs").get("step")).isEqualTo(steps);
    }

    @ParameterizedTest
    @MethodSource("dev.loopline.definition.DefinitionCompilerTest#examples")
    void shouldAcceptTheExamples(String example) throws IOException {
        var errors = schema().validate(JSON.readTree(DefinitionCompilerTest.example(example)));

        assertThat(errors).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "{\"id\":\"x\",\"name\":\"n\",\"trigger\":{\"entityType\":\"a\",\"messageName\":\"Create\"},\"steps\":[{\"name\":\"s\",\"kind\":\"delay\",\"duration\":\"soon\"}]}",
                "{\"id\":\"x\",\"name\":\"n\",\"trigger\":{\"entityType\":\"a\",\"messageName\":\"Create\"},\"steps\":[{\"name\":\"s\",\"kind\":\"teleport\"}]}",
                "{\"id\":\"x\",\"name\":\"n\",\"trigger\":{\"entityType\":\"a\"},\"steps\":[]}"
            })
    void shouldRejectInvalidDocuments(String document) throws IOException {
        assertThat(schema().validate(JSON.readTree(document))).isNotEmpty();
    }

    private static JsonSchema schema() throws IOException {
        try (InputStream in = DefinitionCompiler.class.getResourceAsStream("definition.schema.json")) {
            return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012)
                    .getSchema(in);
        }
    }
}
