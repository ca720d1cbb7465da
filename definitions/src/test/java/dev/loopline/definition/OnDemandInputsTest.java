package dev.loopline.definition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loopline.api.v1.WorkflowDefinition;
import dev.loopline.definition.json.FieldError;
import dev.loopline.definition.json.InvalidDocumentException;
import java.io.IOException;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class OnDemandInputsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final DefinitionCompiler compiler = new DefinitionCompiler();

    @Test
    void shouldKeepTheInputSchemaAndRefuseUndeclaredInputsByDefault() throws IOException {
        // given
        WorkflowDefinition definition = compile("""
                "trigger":{"entityType":"expense_report"},
                "onDemand":{"inputs":{"properties":{"reason":{"type":"string","minLength":3},
                                                   "amount":{"type":"number","minimum":0}},
                                      "required":["reason"]}},""");

        // then
        assertThat(definition.getTrigger().getMessageName()).isEmpty();
        assertThat(JSON.readTree(definition.getOnDemandInputs())
                        .get("additionalProperties")
                        .asBoolean())
                .isFalse();
        assertThat(OnDemandInputs.check(
                        definition.getOnDemandInputs(), JSON.readTree("{\"reason\":\"audit\",\"amount\":12.5}")))
                .isEmpty();
        assertThat(OnDemandInputs.check(
                        definition.getOnDemandInputs(), JSON.readTree("{\"amount\":\"a lot\",\"colour\":\"red\"}")))
                .extracting(FieldError::field)
                .containsExactly("inputs.amount", "inputs.colour", "inputs.reason");
    }

    @Test
    void shouldStartNoDefinitionOnDemandThatDoesNotSaySo() {
        WorkflowDefinition definition = compile("\"trigger\":{\"entityType\":\"a\",\"messageName\":\"Create\"},");

        assertThat(definition.getOnDemandInputs()).isNull();
    }

    @Test
    void shouldRefuseInputsThatAreNotScalarsAndATriggerWithoutMessageThatIsNotOnDemand() {
        InvalidDocumentException onDemand = catchThrowableOfType(InvalidDocumentException.class, () -> compile("""
                        "trigger":{"entityType":"a"},
                        "onDemand":{"inputs":{"type":"array","properties":{"lines":{"type":"array"}}},"form":1},"""));
        InvalidDocumentException triggered = catchThrowableOfType(
                InvalidDocumentException.class, () -> compile("\"trigger\":{\"entityType\":\"a\"},"));

        assertThat(onDemand.errors())
                .extracting(FieldError::field)
                .containsExactlyInAnyOrder(
                        "onDemand.form", "onDemand.inputs.type", "onDemand.inputs.properties.lines.type");
        assertThat(triggered.errors()).extracting(FieldError::field).containsExactly("trigger.messageName");
    }

    @Test
    void shouldRefuseSchemaKeywordsThatLoadOtherDocumentsOrRunExpressions() {
        InvalidDocumentException error = catchThrowableOfType(InvalidDocumentException.class, () -> compile("""
                        "trigger":{"entityType":"a"},
                        "onDemand":{"inputs":{"$schema":"http://example.org/s","$ref":"file:///etc/passwd",
                          "properties":{"code":{"type":"string","pattern":"(a+)+$"},
                                        "id":{"$ref":"http://169.254.169.254/latest"}}}},"""));

        assertThat(error.errors())
                .extracting(FieldError::field)
                .contains(
                        "onDemand.inputs.$schema",
                        "onDemand.inputs.$ref",
                        "onDemand.inputs.properties.code.pattern",
                        "onDemand.inputs.properties.id.$ref");
    }

    private WorkflowDefinition compile(String triggerAndOnDemand) {
        return compiler.compile("""
                {"id":"d","name":"n",%s
                 "steps":[{"name":"s","kind":"stop"}]}""".formatted(triggerAndOnDemand), Instant.EPOCH);
    }
}
