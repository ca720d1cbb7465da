package dev.loopline.definition.step;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.loopline.api.v1.Step;
import dev.loopline.definition.DefinitionCompiler;
import dev.loopline.definition.OnDemandInputs;
import dev.loopline.definition.json.FieldError;
import dev.loopline.definition.json.InvalidDocumentException;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class PromptStepTest {

    @Test
    void shouldWaitForTheAnswersToItsOwnPageOnTheSession() throws Exception {
        Step page = compile("""
                {"name":"amount","kind":"prompt","text":"How much?","timeout":"PT5M",
                 "responses":{"properties":{"amount":{"type":"number"}},"required":["amount"]}}""");

        assertThat(StepTypes.typeOf(page)).isEqualTo("prompt");
        assertThat(page.getPayload()).containsEntry("text", "How much?");
        assertThat(page.getEvent().getEntityType()).isEqualTo("dialog-session");
        assertThat(page.getEvent().getMessageNames()).containsExactly("DialogResponse");
        assertThat(page.getEvent().getUntil()).isEqualTo("event.attributes.page == 'amount'");
        assertThat(page.getTimeoutMillis()).isEqualTo(300_000L);
        String responses = (String) page.getPayload().get("responses");
        assertThat(OnDemandInputs.check(responses, new com.fasterxml.jackson.databind.ObjectMapper().readTree("{}")))
                .extracting(FieldError::field)
                .containsExactly("inputs.amount");
    }

    @Test
    void shouldRefuseAPageWithoutTextOrWithAnswersThatAreNotScalars() {
        InvalidDocumentException error = catchThrowableOfType(InvalidDocumentException.class, () -> compile("""
                {"name":"p","kind":"prompt","responses":{"properties":{"lines":{"type":"array"}}}}"""));

        assertThat(error.errors())
                .extracting(FieldError::field)
                .containsExactlyInAnyOrder("steps[0].text", "steps[0].responses.properties.lines.type");
    }

    private static Step compile(String step) {
        return new DefinitionCompiler()
                .compile("""
                        {"id":"d","name":"n","trigger":{"entityType":"dialog-session"},"onDemand":{},"steps":[%s]}""".formatted(step), Instant.EPOCH)
                .getSteps()
                .get(0);
    }
}
