package dev.loopline.definition.step;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loopline.api.WorkItems;
import dev.loopline.api.internal.BranchState;
import dev.loopline.api.internal.BranchStatus;
import dev.loopline.api.v1.EventWait;
import dev.loopline.api.v1.Fork;
import dev.loopline.api.v1.ParallelBranch;
import dev.loopline.api.v1.Step;
import dev.loopline.definition.expression.ExpressionException;
import dev.loopline.definition.expression.Expressions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code approval} (the Dynamics AX workflow approval element): one work item per assignee, or one
 * for a queue, each a platform task (see {@link WorkItemStep}), and a completion policy that
 * decides the step from their outcomes:
 *
 * <ul>
 *   <li>{@code single}: one work item (one assignee, or a queue); its outcome is the step's;
 *   <li>{@code all}: approved when every assignee approved; rejected at the first rejection;
 *   <li>{@code majority}: approved when more than half approved; rejected when that can no longer
 *       happen;
 *   <li>{@code first}: the first response decides.
 * </ul>
 *
 * A request for change decides the step at once, under every policy. The step's output is {@code
 * outcome} ({@code Approved}, {@code Rejected} or {@code ChangeRequested}), the counts {@code
 * approvals} and {@code rejections}, and each work item's response as {@code item1}, {@code item2}
 * …; the items still open are canceled. The program goes on after the step whatever the outcome:
 * a {@code condition} on {@code steps.<name>.outcome} routes it. The step's {@code timeout} cancels
 * the open items and runs {@code onTimeout}, or fails the step.
 *
 * <p>It compiles as a {@code parallel} step does, one branch per work item:
 *
 * <pre>
 *   n    APPROVAL (branches item1 … → their work items; onTimeout → its steps)
 *   n+1  JUMP → past the step
 *   n+2  WORK-ITEM (assignee 1)
 *        END-BRANCH
 *        …
 *        the onTimeout steps …
 * </pre>
 */
final class ApprovalStep implements StepType, StepBehavior {

    /** The TaskChanged events that answer a work item; any other is consumed and changes nothing. */
    static final String ANSWERS = "has(event.attributes.outcome) && (event.attributes.outcome in ['"
            + WorkItems.APPROVE + "', '" + WorkItems.REJECT + "', '" + WorkItems.REQUEST_CHANGE + "']"
            + " || (event.attributes.outcome == '" + WorkItems.DELEGATE + "' && has(event.attributes."
            + WorkItems.DELEGATE_TO + ")))";

    private static final Set<String> POLICIES = Set.of("single", "all", "majority", "first");
    private static final Set<String> ESCALATION_FIELDS = Set.of("after", "to");

    @Override
    public String name() {
        return "approval";
    }

    @Override
    public String schema() {
        return """
                {"properties": {
                   "assignees": {"type": "array", "minItems": 1, "maxItems": %d,
                     "items": {"type": "string", "minLength": 1},
                     "description": "Who gets a work item each: names, or CEL expressions after '='."},
                   "queue": {"type": "string", "minLength": 1,
                     "description": "Instead of assignees: one work item for this queue (a name, or '=' CEL)."},
                   "policy": {"enum": ["single", "all", "majority", "first"]},
                   "subject": {"type": "string", "description": "The work items' subject: text, or '=' CEL."},
                   "dueIn": {"$ref": "#/$defs/duration"},
                   "escalation": {"type": "object", "required": ["after", "to"], "additionalProperties": false,
                     "properties": {
                       "after": {"$ref": "#/$defs/duration"},
                       "to": {"type": "string", "minLength": 1}}},
                   "timeout": {"$ref": "#/$defs/duration"},
                   "onTimeout": {"$ref": "#/$defs/steps"}},
                 "oneOf": [{"required": ["assignees"]}, {"required": ["queue"]}]}
                """.formatted(ParallelStep.MAX_BRANCHES);
    }

    @Override
    public void compile(StepDocument step, Program program) {
        Step.Builder fork = program.emit(step.name(), name());
        Step.Builder onward = program.emit(step.name(), JumpStep.TYPE);
        if (!program.enterBranches()) {
            step.error("", "an approval step cannot be inside a branch of a parallel step");
        }
        List<String> assignees = new ArrayList<>();
        List<String> fields = new ArrayList<>(); // where each assignee is written, for errors
        JsonNode listed = step.array("assignees", false);
        String queue = step.text("queue", false);
        if ((listed == null) == (queue == null)) {
            step.error("assignees", "expected either assignees or a queue");
        }
        if (listed != null) {
            if (listed.isEmpty() || listed.size() > ParallelStep.MAX_BRANCHES) {
                step.error("assignees", "expected 1 to " + ParallelStep.MAX_BRANCHES + " assignees");
            }
            for (int i = 0; i < listed.size() && i < ParallelStep.MAX_BRANCHES; i++) {
                if (!listed.get(i).isTextual() || listed.get(i).asText().isEmpty()) {
                    step.error("assignees[" + i + "]", "expected a name, or a CEL expression after '='");
                } else {
                    assignees.add(listed.get(i).asText());
                    fields.add("assignees[" + i + "]");
                }
            }
        } else if (queue != null) {
            assignees.add(queue);
            fields.add("queue");
        }
        String policy = step.text("policy", assignees.size() == 1 ? "single" : "all");
        if (policy != null && !POLICIES.contains(policy)) {
            step.error("policy", "expected one of " + new java.util.TreeSet<>(POLICIES));
        } else if ("single".equals(policy) && assignees.size() > 1) {
            step.error("policy", "single needs one assignee, or a queue");
        }
        Long dueIn = step.durationMillis("dueIn");
        StepDocument escalation = step.nested("escalation", false);
        Long escalateAfter = null;
        String escalateTo = null;
        if (escalation != null) {
            escalation.onlyKnown(ESCALATION_FIELDS);
            escalateAfter = escalation.durationMillis("after");
            escalateTo = escalation.text("to", true);
        }
        List<ParallelBranch> branches = new ArrayList<>();
        for (int i = 0; i < assignees.size(); i++) {
            branches.add(new ParallelBranch("item" + (i + 1), program.next()));
            Step.Builder item = program.emit(step.name(), WorkItemStep.TYPE);
            Map<String, Object> literal = new HashMap<>();
            Map<String, String> computed = new HashMap<>();
            value(step, fields.get(i), "assignee", assignees.get(i), literal, computed);
            value(step, "subject", "subject", step.text("subject", false), literal, computed);
            value(step, "escalation.to", "escalateTo", escalateTo, literal, computed);
            item.setPayload(literal);
            item.setPayloadExpressions(computed);
            literal.put("queue", queue != null);
            item.setDurationMillis(dueIn);
            item.setTimeoutMillis(escalateAfter);
            item.setEvent(EventWait.newBuilder()
                    .setEntityType(WorkItems.ENTITY_TYPE)
                    .setMessageNames(List.of(WorkItems.ANSWER_MESSAGE))
                    .setKeyField("entityId")
                    .setKeyExpression(null)
                    .setUntil(ANSWERS)
                    .build());
            program.emit(step.name(), EndBranchStep.TYPE);
        }
        program.leaveBranches();
        fork.setFork(new Fork(branches, 0, policy));
        ParallelStep.afterBranches(step, program, fork, onward);
    }

    /** A value written as text, or as CEL after '=', into the work item's payload. */
    private static void value(
            StepDocument step,
            String field,
            String key,
            String written,
            Map<String, Object> literal,
            Map<String, String> computed) {
        if (written == null) {
            return;
        }
        if (!written.startsWith("=")) {
            literal.put(key, written);
            return;
        }
        try {
            Expressions.check(written.substring(1));
            computed.put(key, written.substring(1));
        } catch (ExpressionException e) {
            step.error(field, e.getMessage());
        }
    }

    @Override
    public Next start(Step step, StepContext context) {
        context.fork(step);
        return Next.halt();
    }

    @Override
    public Optional<Next> join(Step step, StepContext context, List<BranchState> items) {
        int approvals = 0;
        int rejections = 0;
        int open = 0;
        boolean changeRequested = false;
        for (BranchState item : items) {
            if (item.getStatus() == BranchStatus.FAILED) {
                return Optional.of(Next.fail("work item " + item.getName() + " failed: " + item.getReason()));
            }
            if (item.getStatus() == BranchStatus.OPEN) {
                open++;
            } else if (WorkItems.APPROVE.equals(item.getResult())) {
                approvals++;
            } else if (WorkItems.REJECT.equals(item.getResult())) {
                rejections++;
            } else if (WorkItems.REQUEST_CHANGE.equals(item.getResult())) {
                changeRequested = true;
            }
        }
        int total = items.size();
        int needed = switch (step.getFork().getPolicy()) {
            case "majority" -> total / 2 + 1;
            case "first" -> 1;
            default -> total; // single, all
        };
        String outcome;
        if (changeRequested) {
            outcome = "ChangeRequested";
        } else if (approvals >= needed) {
            outcome = "Approved";
        } else if (approvals + open < needed || ("first".equals(step.getFork().getPolicy()) && rejections > 0)) {
            outcome = "Rejected";
        } else {
            return Optional.empty();
        }
        context.recordOutput(
                step.getName(),
                Map.of("outcome", outcome, "approvals", (long) approvals, "rejections", (long) rejections));
        return Optional.of(Next.following(context));
    }

    @Override
    public Next timerFired(Step step, StepContext context, String timedOut) {
        context.cancelBranches(timedOut);
        return StepBehavior.timeoutBranch(step, context, timedOut);
    }
}
