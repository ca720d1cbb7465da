package dev.loopline.definition;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import java.io.IOException;
import java.io.InputStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The shipped JSON Schema accepts the examples, rejects what the compiler rejects, and agrees with it on both. */
class DefinitionSchemaTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @ParameterizedTest
    @ValueSource(strings = {"expense-approval.json", "document-review.json"})
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
