package dev.loopline.definition.step;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loopline.api.internal.BranchState;
import dev.loopline.api.v1.Fork;
import dev.loopline.api.v1.ParallelBranch;
import dev.loopline.api.v1.Step;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * {@code parallel}: named branches that run side by side, each with its own waits and timers, and
 * a join: {@code all} of them (the default), {@code any} one, or a number of them must succeed.
 * When the join is met the branches still open are canceled and the program goes on after the
 * step; when it can no longer be met (too many branches failed) they are canceled and the step
 * fails. The step's {@code timeout} cancels the open branches and runs {@code onTimeout}, or fails.
 *
 * <p>Branches share the instance's variables. The instance applies one input at a time, so
 * writes never race: each write is applied in the order the instance applied the inputs that
 * caused it, and the later write of a variable wins. Step outputs are named by their step, and
 * step names are unique, so branches' outputs never collide. When the step goes on, each branch's
 * status ({@code Succeeded}, {@code Failed} or {@code Canceled}) is its output
 * {@code steps.<step>.<branch>}, with {@code steps.<step>.succeeded} and {@code .failed} counts.
 *
 * <pre>
 *   n    PARALLEL (branches → their starts; onTimeout → its steps)
 *   n+1  JUMP → past the step: where the program goes on when the join is met
 *   n+2  branch a's steps …
 *        END-BRANCH
 *        branch b's steps …
 *        END-BRANCH
 *        the onTimeout steps … (then on past the step)
 * </pre>
 *
 * An instance holds at most one open parallel step: they do not nest, so an instance holds at
 * most {@value #MAX_BRANCHES} branch waits and the join's.
 */
final class ParallelStep implements StepType, StepBehavior {

    /** The most branches a parallel step may have. */
    static final int MAX_BRANCHES = 10;

    private static final Set<String> BRANCH_FIELDS = Set.of("name", "steps");

    /** Each branch's output, when the step goes on. */
    static final String SUCCEEDED = "Succeeded";

    static final String FAILED = "Failed";
    static final String CANCELED = "Canceled";

    @Override
    public String name() {
        return "parallel";
    }

    @Override
    public String schema() {
        return """
                {"properties": {
                   "branches": {
                     "type": "array",
                     "minItems": 2,
                     "maxItems": %d,
                     "items": {
                       "type": "object",
                       "required": ["name", "steps"],
                       "additionalProperties": false,
                       "properties": {
                         "name": {"$ref": "#/$defs/name"},
                         "steps": {"$ref": "#/$defs/steps"}}}},
                   "join": {
                     "description": "all (default), any, or how many branches must succeed.",
                     "oneOf": [{"enum": ["all", "any"]}, {"type": "integer", "minimum": 1, "maximum": %d}]},
                   "timeout": {"$ref": "#/$defs/duration"},
                   "onTimeout": {"$ref": "#/$defs/steps"}},
                 "required": ["branches"]}
                """.formatted(MAX_BRANCHES, MAX_BRANCHES);
    }

    @Override
    public void compile(StepDocument step, Program program) {
        Step.Builder fork = program.emit(step.name(), name());
        Step.Builder onward = program.emit(step.name(), JumpStep.TYPE);
        if (!program.enterBranches()) {
            step.error("", "a parallel step cannot be inside a branch of another parallel step");
        }
        JsonNode branches = step.array("branches", true);
        List<ParallelBranch> compiled = new ArrayList<>();
        if (branches != null) {
            if (branches.size() < 2 || branches.size() > MAX_BRANCHES) {
                step.error("branches", "expected 2 to " + MAX_BRANCHES + " branches");
            }
            Set<String> names = new HashSet<>();
            for (int i = 0; i < branches.size() && i < MAX_BRANCHES; i++) {
                String at = "branches[" + i + "]";
                if (!branches.get(i).isObject()) {
                    step.error(at, "expected an object with 'name' and 'steps'");
                    continue;
                }
                StepDocument branch = step.within(branches.get(i), at);
                branch.onlyKnown(BRANCH_FIELDS);
                String name = branch.text("name", true);
                if (name != null && !name.matches("[A-Za-z_][A-Za-z0-9_]{0,63}")) {
                    branch.error("name", "expected an identifier (letters, digits, '_')");
                } else if (name != null && (!names.add(name) || name.equals("succeeded") || name.equals("failed"))) {
                    branch.error("name", "duplicate or reserved branch name '" + name + "'");
                }
                compiled.add(new ParallelBranch(name == null ? "branch" + i : name, program.next()));
                JsonNode steps = branch.array("steps", true);
                if (steps != null) {
                    program.steps(steps, branch.path("steps"));
                }
                program.emit(step.name(), EndBranchStep.TYPE);
            }
        }
        program.leaveBranches();
        fork.setFork(new Fork(compiled, join(step, compiled.size()), null));
        afterBranches(step, program, fork, onward);
    }

    /**
     * The end of a forking step's compilation, after its branches: its {@code timeout}, its {@code
     * onTimeout} steps last (the fork's target), and the jump past it all that the join takes.
     */
    static void afterBranches(StepDocument step, Program program, Step.Builder fork, Step.Builder onward) {
        fork.setTimeoutMillis(step.durationMillis("timeout"));
        JsonNode onTimeout = step.array("onTimeout", false);
        if (onTimeout == null) {
            fork.setTarget(-1);
        } else {
            if (!step.has("timeout")) {
                step.error("onTimeout", "needs a timeout");
            }
            fork.setTarget(program.next());
            program.steps(onTimeout, step.path("onTimeout"));
        }
        onward.setTarget(program.next());
    }

    /** 0 for all, else how many branches must succeed. */
    private static int join(StepDocument step, int branches) {
        JsonNode join = step.raw("join");
        if (join == null || (join.isTextual() && join.asText().equals("all"))) {
            return 0;
        }
        if (join.isTextual() && join.asText().equals("any")) {
            return 1;
        }
        if (join.isIntegralNumber() && join.asInt() >= 1 && join.asInt() <= Math.max(branches, 1)) {
            return join.asInt() == branches ? 0 : join.asInt();
        }
        step.error("join", "expected \"all\", \"any\" or a number of branches from 1 to " + branches);
        return 0;
    }

    @Override
    public Next start(Step step, StepContext context) {
        context.fork(step);
        return Next.halt();
    }

    @Override
    public Optional<Next> join(Step step, StepContext context, List<BranchState> branches) {
        int succeeded = 0;
        int open = 0;
        List<String> failures = new ArrayList<>();
        for (BranchState branch : branches) {
            switch (branch.getStatus()) {
                case SUCCEEDED -> succeeded++;
                case OPEN -> open++;
                case FAILED -> failures.add(branch.getName() + ": " + branch.getReason());
                default -> {}
            }
        }
        int needed =
                step.getFork().getJoin() == 0 ? branches.size() : step.getFork().getJoin();
        if (succeeded >= needed) {
            return Optional.of(Next.following(context));
        }
        if (succeeded + open < needed) {
            String of = needed == branches.size() ? "all " + needed : needed + " of " + branches.size();
            return Optional.of(Next.fail("the join (" + of + ") can no longer be met: " + String.join("; ", failures)));
        }
        return Optional.empty();
    }

    @Override
    public Next timerFired(Step step, StepContext context, String timedOut) {
        context.cancelBranches(timedOut);
        return StepBehavior.timeoutBranch(step, context, timedOut);
    }
}
