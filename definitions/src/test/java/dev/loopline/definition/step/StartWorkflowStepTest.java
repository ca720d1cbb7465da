package dev.loopline.definition.step;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.loopline.api.v1.Step;
import dev.loopline.definition.DefinitionCompiler;
import dev.loopline.definition.json.FieldError;
import dev.loopline.definition.json.InvalidDocumentException;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class StartWorkflowStepTest {

    @Test
    void shouldCompileTheChildsDefinitionEntityAndInputs() {
        Step step = compile("""
                {"name":"spawn","kind":"start-workflow","definition":"welcome","entityType":"customer",
                 "entityId":"trigger.attributes.customer","inputs":{"source":"shop","order":"=trigger.entityId"}}""");

        assertThat(StepTypes.typeOf(step)).isEqualTo("start-workflow");
        assertThat(step.getStartsDefinition()).isEqualTo("welcome");
        assertThat(step.getEntityType()).isEqualTo("customer");
        assertThat(step.getEntityIdExpression()).isEqualTo("trigger.attributes.customer");
        assertThat(step.getPayload()).containsEntry("source", "shop");
        assertThat(step.getPayloadExpressions()).containsEntry("order", "trigger.entityId");
    }

    @Test
    void shouldRefuseAnEntityTypeWithoutItsIdAndABadDefinitionId() {
        InvalidDocumentException error = catchThrowableOfType(InvalidDocumentException.class, () -> compile("""
                {"name":"spawn","kind":"start-workflow","definition":"no spaces","entityType":"customer"}"""));

        assertThat(error.errors())
                .extracting(FieldError::field)
                .containsExactlyInAnyOrder("steps[0].definition", "steps[0]");
    }

    private static Step compile(String step) {
        return new DefinitionCompiler()
                .compile("""
                        {"id":"d","name":"n","trigger":{"entityType":"order","messageName":"Create"},"steps":[%s]}""".formatted(step), Instant.EPOCH)
                .getSteps()
                .get(0);
    }
}
