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

class ApprovalStepTest {

    private final DefinitionCompiler compiler = new DefinitionCompiler();

    @Test
    void shouldCompileOneWorkItemBranchPerAssigneeWithItsPolicyDueDateAndEscalation() {
        List<Step> program = compile("""
                {"name":"approve","kind":"approval","assignees":["alice","=trigger.attributes.manager"],
                 "policy":"majority","subject":"='Expense ' + trigger.entityId","dueIn":"P2D",
                 "escalation":{"after":"P1D","to":"director"}},
                {"name":"after","kind":"log","entry":"steps.approve.outcome"}""").getSteps();

        assertThat(program)
                .extracting(StepTypes::typeOf)
                .containsExactly("approval", "jump", "work-item", "end-branch", "work-item", "end-branch", "log");
        assertThat(program.get(0).getFork().getPolicy()).isEqualTo("majority");
        assertThat(program.get(0).getFork().getBranches())
                .extracting(branch -> branch.getName() + "@" + branch.getStart())
                .containsExactly("item1@2", "item2@4");
        assertThat(program.get(1).getTarget()).isEqualTo(6);
        Step second = program.get(4);
        assertThat(second.getPayload()).containsEntry("escalateTo", "director").containsEntry("queue", false);
        assertThat(second.getPayloadExpressions())
                .containsEntry("assignee", "trigger.attributes.manager")
                .containsEntry("subject", "'Expense ' + trigger.entityId");
        assertThat(second.getDurationMillis()).isEqualTo(2 * 86_400_000L);
        assertThat(second.getTimeoutMillis()).isEqualTo(86_400_000L);
        assertThat(second.getEvent().getEntityType()).isEqualTo("task");
    }

    @Test
    void shouldDefaultToSingleForOneAssigneeOrAQueueAndToAllForMore() {
        assertThat(compile("{\"name\":\"a\",\"kind\":\"approval\",\"queue\":\"finance\"}")
                        .getSteps()
                        .get(0)
                        .getFork()
                        .getPolicy())
                .isEqualTo("single");
        assertThat(compile("{\"name\":\"a\",\"kind\":\"approval\",\"assignees\":[\"x\",\"y\"]}")
                        .getSteps()
                        .get(0)
                        .getFork()
                        .getPolicy())
                .isEqualTo("all");
    }

    @Test
    void shouldRefuseAWrongApprovalWithTheFieldsPaths() {
        InvalidDocumentException error = catchThrowableOfType(InvalidDocumentException.class, () -> compile("""
                {"name":"a","kind":"approval","assignees":["x","y"],"queue":"q"},
                {"name":"b","kind":"approval","assignees":["x","y"],"policy":"single"},
                {"name":"c","kind":"approval","assignees":["x", 3, "=nope("],"policy":"most"},
                {"name":"d","kind":"approval","queue":"q","escalation":{"after":"P1D"}}"""));

        assertThat(error.errors())
                .extracting(FieldError::field)
                .containsExactlyInAnyOrder(
                        "steps[0].assignees",
                        "steps[1].policy",
                        "steps[2].assignees[1]",
                        "steps[2].assignees[2]",
                        "steps[2].policy",
                        "steps[3].escalation.to");
    }

    private WorkflowDefinition compile(String steps) {
        return compiler.compile("""
                {"id":"d","name":"n","trigger":{"entityType":"a","messageName":"Create"},"steps":[%s]}""".formatted(steps), Instant.EPOCH);
    }
}
