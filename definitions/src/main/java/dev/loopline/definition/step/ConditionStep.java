package dev.loopline.definition.step;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loopline.api.v1.Step;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * {@code condition}: the first branch whose {@code when} holds runs, else {@code otherwise}. It is
 * only a shape of the program, so it has no behaviour of its own:
 *
 * <pre>
 * if c1 {A} else if c2 {B} else {C}
 *   0  BRANCH_UNLESS c1 → 3
 *   1  A
 *   2  JUMP → 6
 *   3  BRANCH_UNLESS c2 → 6 (or the else part)
 *   4  B
 *   5  JUMP → 6
 *   6  C …
 * </pre>
 */
final class ConditionStep implements StepType {

    private static final Set<String> BRANCH_FIELDS = Set.of("when", "steps");

    @Override
    public String name() {
        return "condition";
    }

    @Override
    public String schema() {
        return """
                {"properties": {
                   "branches": {
                     "type": "array",
                     "minItems": 1,
                     "items": {
                       "type": "object",
                       "required": ["when", "steps"],
                       "additionalProperties": false,
                       "properties": {
                         "when": {"$ref": "#/$defs/expression"},
                         "steps": {"$ref": "#/$defs/steps"}}}},
                   "otherwise": {"$ref": "#/$defs/steps"}},
                 "required": ["branches"]}
                """;
    }

    @Override
    public void compile(StepDocument step, Program program) {
        JsonNode branches = step.array("branches", true);
        List<Step.Builder> exits = new ArrayList<>();
        if (branches != null) {
            if (branches.isEmpty()) {
                step.error("branches", "expected at least one branch");
            }
            for (int i = 0; i < branches.size(); i++) {
                String at = "branches[" + i + "]";
                if (!branches.get(i).isObject()) {
                    step.error(at, "expected an object with 'when' and 'steps'");
                    continue;
                }
                StepDocument branch = step.within(branches.get(i), at);
                branch.onlyKnown(BRANCH_FIELDS);
                Step.Builder test = program.emit(step.name(), BranchUnlessStep.TYPE);
                test.setExpression(branch.expression("when", true));
                JsonNode steps = branch.array("steps", true);
                if (steps != null) {
                    program.steps(steps, branch.path("steps"));
                }
                exits.add(program.emit(step.name(), JumpStep.TYPE));
                test.setTarget(program.next());
            }
        }
        JsonNode otherwise = step.array("otherwise", false);
        if (otherwise != null) {
            program.steps(otherwise, step.path("otherwise"));
        }
        exits.forEach(exit -> exit.setTarget(program.next()));
    }
}
