package dev.loopline.definition.step;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.loopline.api.v1.Step;
import dev.loopline.api.v1.WorkflowDefinition;
import dev.loopline.definition.DefinitionCompiler;
import dev.loopline.definition.json.FieldError;
import dev.loopline.definition.json.InvalidDocumentException;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class CompensationTest {

    private final DefinitionCompiler compiler = new DefinitionCompiler();

    @Test
    void shouldCompileEachCompensationBesideItsStepBehindAJump() {
        List<Step> program = compile("""
                {"name":"reserve","kind":"send-message","messageName":"ReserveStock",
                 "compensation":{"messageName":"ReleaseStock","payload":{"order":"=trigger.entityId"}}},
                {"name":"publish","kind":"upsert-entity","entityType":"doc","entityId":"trigger.entityId",
                 "messageName":"Update","compensation":[
                   {"name":"note","kind":"log","entry":"'unpublishing'"},
                   {"name":"unpublish","kind":"send-message","messageName":"Unpublish"}]}""").getSteps();

        assertThat(program)
                .extracting(StepTypes::typeOf)
                .containsExactly(
                        "send-message", // 0: reserve, undone at 2
                        "jump", // 1: → 4
                        "send-message", // 2: ReleaseStock
                        "end-compensation", // 3
                        "upsert-entity", // 4: publish, undone at 6
                        "jump", // 5: → 9
                        "log", // 6
                        "send-message", // 7: Unpublish
                        "end-compensation"); // 8
        assertThat(program.get(0).getCompensation()).isEqualTo(2);
        assertThat(program.get(1).getTarget()).isEqualTo(4);
        assertThat(program.get(2).getMessageName()).isEqualTo("ReleaseStock");
        assertThat(program.get(2).getPayloadExpressions()).containsEntry("order", "trigger.entityId");
        assertThat(program.get(4).getCompensation()).isEqualTo(6);
        assertThat(program.get(5).getTarget()).isEqualTo(9);
    }

    @Test
    void shouldRefuseACompensationThatIsNeitherAMessageNorSteps() {
        InvalidDocumentException error = catchThrowableOfType(InvalidDocumentException.class, () -> compile("""
                {"name":"a","kind":"send-message","messageName":"A","compensation":"undo it"},
                {"name":"b","kind":"send-message","messageName":"B","compensation":{"payload":{},"retries":3}}"""));

        assertThat(error.errors())
                .extracting(FieldError::field)
                .containsExactlyInAnyOrder(
                        "steps[0].compensation", "steps[1].compensation.messageName", "steps[1].compensation.retries");
    }

    private WorkflowDefinition compile(String steps) {
        return compiler.compile("""
                {"id":"d","name":"n","trigger":{"entityType":"a","messageName":"Create"},"steps":[%s]}""".formatted(steps), Instant.EPOCH);
    }
}
