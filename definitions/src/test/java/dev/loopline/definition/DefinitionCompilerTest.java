package dev.loopline.definition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.loopline.api.v1.DefinitionStatus;
import dev.loopline.api.v1.Step;
import dev.loopline.api.v1.StepKind;
import dev.loopline.api.v1.WorkflowDefinition;
import dev.loopline.definition.json.FieldError;
import dev.loopline.definition.json.InvalidDocumentException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class DefinitionCompilerTest {

    private static final Instant NOW = Instant.parse("2026-11-21T10:00:00Z");
    private final DefinitionCompiler compiler = new DefinitionCompiler();

    @Test
    void shouldCompileTheDocumentReviewExampleIntoAFlatProgram() throws IOException {
        WorkflowDefinition definition = compiler.compile(example("document-review.json"), NOW);

        assertThat(definition.getStatus()).isEqualTo(DefinitionStatus.DRAFT);
        assertThat(definition.getTrigger().getMessageName()).isEqualTo("ItemCreated");
        assertThat(definition.getSteps())
                .extracting(Step::getKind)
                .containsExactly(
                        StepKind.CREATE_TASK, // 0: timeout → 2
                        StepKind.JUMP, // 1: → 4, past the timeout branch
                        StepKind.SEND_MESSAGE, // 2: escalate
                        StepKind.STOP, // 3: give up
                        StepKind.BRANCH_UNLESS, // 4: approved? else → 7
                        StepKind.UPSERT_ENTITY, // 5: publish
                        StepKind.JUMP, // 6: → 8
                        StepKind.SEND_MESSAGE); // 7: notify author
        List<Step> program = definition.getSteps();
        assertThat(program.get(0).getTarget()).isEqualTo(2);
        assertThat(program.get(0).getTimeoutMillis()).isEqualTo(3 * 24 * 3600 * 1000L);
        assertThat(program.get(0).getEvent().getMessageNames()).containsExactly("TaskChanged", "TaskDeleted");
        assertThat(program.get(0).getPayloadExpressions()).containsEntry("assignee", "trigger.attributes.owner");
        assertThat(program.get(1).getTarget()).isEqualTo(4);
        assertThat(program.get(3).getStopStatus()).isEqualTo("CANCELED");
        assertThat(program.get(4).getTarget()).isEqualTo(7);
        assertThat(program.get(6).getTarget()).isEqualTo(8);
        assertThat(definition.getDocument()).contains("\"document-review\"");
    }

    @Test
    void shouldCompileTheExpenseApprovalExample() throws IOException {
        WorkflowDefinition definition = compiler.compile(example("expense-approval.json"), NOW);

        assertThat(definition.getTrigger().getCondition()).isEqualTo("double(trigger.attributes.amount) > 0.0");
        assertThat(definition.getSteps())
                .extracting(Step::getKind)
                .containsExactly(
                        StepKind.SEND_MESSAGE,
                        StepKind.BRANCH_UNLESS,
                        StepKind.SET_VARIABLE,
                        StepKind.JUMP,
                        StepKind.SET_VARIABLE,
                        StepKind.UPSERT_ENTITY);
    }

    @Test
    void shouldPointAtEveryInvalidFieldWithItsPath() {
        InvalidDocumentException error =
                catchThrowableOfType(InvalidDocumentException.class, () -> compiler.compile("""
                        {"id":"bad id","name":"n","trigger":{"entityType":"account","messageName":"Create","changedAttributes":["x"]},
                         "steps":[
                           {"name":"a","kind":"send-message","messageName":"M"},
                           {"name":"a","kind":"delay"},
                           {"name":"c","kind":"teleport"},
                           {"name":"d","kind":"wait-for-event","event":{"entityType":"payment","messageName":"Paid","key":"trigger.entityId"},"timeout":"tomorrow"},
                           {"name":"e","kind":"condition","branches":[{"when":"1 +","steps":[]}]},
                           {"name":"f","kind":"send-message","messageName":"M","payload":{"x":"=nope("},"colour":"red"}
                         ]}
                        """, NOW));

        assertThat(error.errors())
                .extracting(FieldError::field)
                .containsExactlyInAnyOrder(
                        "id",
                        "trigger.changedAttributes",
                        "steps[1].name",
                        "steps[1]",
                        "steps[2].kind",
                        "steps[3].timeout",
                        "steps[4].branches[0].when",
                        "steps[5].colour",
                        "steps[5].payload.x");
        assertThat(error.errors())
                .contains(new FieldError("steps[3].timeout", "expected ISO-8601 duration such as PT30S or P7D"));
        assertThat(error.getMessage()).contains("steps[1].name: duplicate step name 'a'");
    }

    @Test
    void shouldRefuseAnAbsurdDurationAndTheReservedStepName() {
        InvalidDocumentException error =
                catchThrowableOfType(InvalidDocumentException.class, () -> compiler.compile("""
                        {"id":"d","name":"n","trigger":{"entityType":"a","messageName":"Create"},
                         "steps":[{"name":"started","kind":"delay","duration":"P200000000000D"}]}""", NOW));

        assertThat(error.errors())
                .extracting(FieldError::field)
                .containsExactlyInAnyOrder("steps[0].name", "steps[0].duration");
    }

    @Test
    void shouldRejectMalformedJsonAtTheRoot() {
        InvalidDocumentException error =
                catchThrowableOfType(InvalidDocumentException.class, () -> compiler.compile("{nope", NOW));

        assertThat(error.errors())
                .singleElement()
                .satisfies(e -> assertThat(e.field()).isEqualTo("$"));
    }

    /** Every example under {@code examples/}: the definition tests compile and schema-check each. */
    static java.util.stream.Stream<String> examples() throws IOException {
        try (var files = Files.list(Path.of("..", "examples"))) {
            return files
                    .map(file -> file.getFileName().toString())
                    .filter(name -> name.endsWith(".json"))
                    .sorted()
                    .toList()
                    .stream();
        }
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.MethodSource("examples")
    void shouldCompileEveryExample(String name) throws IOException {
        WorkflowDefinition definition = compiler.compile(example(name), NOW);

        assertThat(definition.getSteps()).isNotEmpty();
        assertThat(definition.getId()).isEqualTo(name.replace(".json", ""));
    }

    static String example(String name) throws IOException {
        return Files.readString(Path.of("..", "examples", name));
    }
}
