package dev.loopline.definition.step;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.loopline.api.v1.ParallelBranch;
import dev.loopline.api.v1.Step;
import dev.loopline.api.v1.WorkflowDefinition;
import dev.loopline.definition.DefinitionCompiler;
import dev.loopline.definition.json.FieldError;
import dev.loopline.definition.json.InvalidDocumentException;
import java.time.Instant;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ParallelStepTest {

    private final DefinitionCompiler compiler = new DefinitionCompiler();

    @Test
    void shouldCompileTheBranchesBehindTheJumpTheJoinTakesAndTheTimeoutStepsLast() {
        List<Step> program = compile("""
                {"name":"fan","kind":"parallel","join":"any","timeout":"PT1H","branches":[
                  {"name":"a","steps":[{"name":"a1","kind":"send-message","messageName":"A"}]},
                  {"name":"b","steps":[
                    {"name":"b1","kind":"condition","branches":[{"when":"true","steps":[
                      {"name":"b2","kind":"send-message","messageName":"B"}]}]}]}],
                 "onTimeout":[{"name":"late","kind":"log","entry":"'late'"}]},
                {"name":"after","kind":"send-message","messageName":"After"}""").getSteps();

        assertThat(program)
                .extracting(StepTypes::typeOf)
                .containsExactly(
                        "parallel", // 0
                        "jump", // 1: → 9, where the join goes on
                        "send-message", // 2: a
                        "end-branch", // 3
                        "branch-unless", // 4: b
                        "send-message", // 5
                        "jump", // 6 → 7
                        "end-branch", // 7
                        "log", // 8: onTimeout
                        "send-message"); // 9
        Step fork = program.get(0);
        assertThat(fork.getFork().getBranches())
                .containsExactly(new ParallelBranch("a", 2), new ParallelBranch("b", 4));
        assertThat(fork.getFork().getJoin()).isEqualTo(1);
        assertThat(fork.getTimeoutMillis()).isEqualTo(3_600_000L);
        assertThat(fork.getTarget()).isEqualTo(8);
        assertThat(program.get(1).getTarget()).isEqualTo(9);
    }

    @Test
    void shouldTakeAllAsTheDefaultJoinAndACountOfEveryBranchAsAll() {
        String branches = """
                "branches":[{"name":"a","steps":[{"name":"a1","kind":"log","entry":"'a'"}]},
                            {"name":"b","steps":[{"name":"b1","kind":"log","entry":"'b'"}]}]""";

        assertThat(compile("{\"name\":\"p\",\"kind\":\"parallel\"," + branches + "}")
                        .getSteps()
                        .get(0)
                        .getFork()
                        .getJoin())
                .isZero();
        assertThat(compile("{\"name\":\"p\",\"kind\":\"parallel\",\"join\":2," + branches + "}")
                        .getSteps()
                        .get(0)
                        .getFork()
                        .getJoin())
                .isZero();
    }

    @Test
    void shouldRefuseNestedParallelStepsTooManyBranchesAndABadJoinWithTheirPaths() {
        String eleven = IntStream.range(0, 11)
                .mapToObj(i -> "{\"name\":\"b" + i + "\",\"steps\":[{\"name\":\"s" + i
                        + "\",\"kind\":\"log\",\"entry\":\"'x'\"}]}")
                .collect(Collectors.joining(","));

        InvalidDocumentException error =
                catchThrowableOfType(InvalidDocumentException.class, () -> compile("""
                {"name":"outer","kind":"parallel","join":3,"branches":[
                  {"name":"a","steps":[{"name":"inner","kind":"parallel","branches":[
                    {"name":"x","steps":[{"name":"x1","kind":"log","entry":"'x'"}]},
                    {"name":"y","steps":[{"name":"y1","kind":"log","entry":"'y'"}]}]}]},
                  {"name":"a","steps":[{"name":"b1","kind":"log","entry":"'b'"}]}]},
                {"name":"wide","kind":"parallel","branches":[%s]},
                {"name":"lonely","kind":"parallel","onTimeout":[],"branches":[
                  {"name":"only","steps":[{"name":"o1","kind":"log","entry":"'o'"}]}]}""".formatted(eleven)));

        assertThat(error.errors())
                .extracting(FieldError::field)
                .containsExactlyInAnyOrder(
                        "steps[0].join",
                        "steps[0].branches[0].steps[0]",
                        "steps[0].branches[1].name",
                        "steps[1].branches",
                        "steps[2].branches",
                        "steps[2].onTimeout");
    }

    private WorkflowDefinition compile(String steps) {
        return compiler.compile("""
                {"id":"d","name":"n","trigger":{"entityType":"a","messageName":"Create"},"steps":[%s]}""".formatted(steps), Instant.EPOCH);
    }
}
