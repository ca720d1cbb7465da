package dev.loopline.definition.step;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.loopline.api.v1.Step;
import dev.loopline.api.v1.StepKind;
import dev.loopline.api.v1.WorkflowDefinition;
import dev.loopline.definition.DefinitionCompiler;
import dev.loopline.definition.json.FieldError;
import dev.loopline.definition.json.InvalidDocumentException;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class LogStepTest {

    private final DefinitionCompiler compiler = new DefinitionCompiler();

    @Test
    void shouldCompileToAnInstructionNamedByItsTypeThatOlderRuntimesReadAsUnknown() {
        Step step = compile("{\"name\":\"note\",\"kind\":\"log\",\"entry\":\"'approved by ' + vars.approver\"}")
                .getSteps()
                .get(0);

        assertThat(step.getKind()).isEqualTo(StepKind.UNKNOWN);
        assertThat(step.getType()).isEqualTo("log");
        assertThat(step.getExpression()).isEqualTo("'approved by ' + vars.approver");
        assertThat(StepTypes.behaviorOf(step)).isInstanceOf(LogStep.class);
    }

    @Test
    void shouldRefuseAMissingOrBrokenEntryAndAnUnknownField() {
        InvalidDocumentException error = catchThrowableOfType(InvalidDocumentException.class, () -> compile("""
                        {"name":"a","kind":"log"},
                        {"name":"b","kind":"log","entry":"'unclosed"},
                        {"name":"c","kind":"log","entry":"'x'","level":"info"}"""));

        assertThat(error.errors())
                .extracting(FieldError::field)
                .containsExactlyInAnyOrder("steps[0].entry", "steps[1].entry", "steps[2].level");
    }

    private WorkflowDefinition compile(String steps) {
        return compiler.compile("""
                {"id":"d","name":"n","trigger":{"entityType":"a","messageName":"Create"},"steps":[%s]}""".formatted(steps), Instant.EPOCH);
    }
}
