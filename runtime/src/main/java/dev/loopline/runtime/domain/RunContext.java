package dev.loopline.runtime.domain;

import dev.loopline.api.v1.EventWait;
import dev.loopline.api.v1.MessageKind;
import dev.loopline.api.v1.Step;
import dev.loopline.api.v1.WorkItem;
import dev.loopline.definition.expression.ExpressionException;
import dev.loopline.definition.expression.Expressions;
import dev.loopline.definition.step.Next;
import dev.loopline.definition.step.StepContext;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/** A step's view of the run it is part of: what a {@link dev.loopline.definition.step.StepBehavior} may do. */
final class RunContext implements StepContext {

    private final Run run;
    private final int pc;
    private final Expressions expressions;
    private final InstanceLimits limits;

    RunContext(Run run, int pc, Expressions expressions, InstanceLimits limits) {
        this.run = run;
        this.pc = pc;
        this.expressions = expressions;
        this.limits = limits;
    }

    @Override
    public int pc() {
        return pc;
    }

    @Override
    public Instant now() {
        return run.now;
    }

    @Override
    public Object value(String expression) {
        return expressions.scalar(expression, run.variables());
    }

    @Override
    public boolean test(String expression) {
        return expressions.test(expression, run.variables());
    }

    @Override
    public Instant instant(String expression) {
        return expressions.instant(expression, run.variables());
    }

    @Override
    public String key(String expression) {
        Object value = value(expression);
        if (value == null) {
            throw new ExpressionException("'" + expression + "' gave null, expected a key or id");
        }
        String text = CorrelationKeys.text(value);
        if (text == null) {
            throw new ExpressionException("'" + expression + "' gave a value with control characters");
        }
        return text;
    }

    @Override
    public Map<String, Object> payload(Step step) {
        Map<String, Object> payload = new HashMap<>(step.getPayload());
        if (!step.getPayloadExpressions().isEmpty()) {
            Map<String, Object> variables = run.variables();
            step.getPayloadExpressions()
                    .forEach((key, source) -> payload.put(key, expressions.scalar(source, variables)));
        }
        return payload;
    }

    @Override
    public String taskId() {
        return run.migrated(InstanceIds.taskId(run.instance.getInstanceId(), pc));
    }

    @Override
    public void post(
            MessageKind kind,
            String messageName,
            Map<String, Object> payload,
            String entityType,
            String entityId,
            Instant dueAt) {
        String messageId = run.messageId(InstanceIds.stepMessageId(run.instance.getInstanceId(), pc));
        run.post(messageId, kind, messageName, payload, entityType, entityId, dueAt);
    }

    @Override
    public void waitForEvent(Step step, String keyValue, Instant dueAt) {
        EventWait event = step.getEvent();
        run.waitForEvent(step, CorrelationKeys.of(event.getEntityType(), event.getKeyField(), keyValue), dueAt);
    }

    @Override
    public void waitForTimer(Step step, Instant dueAt) {
        run.waitForTimer(step, dueAt);
    }

    @Override
    public void setVariable(String name, Object value) {
        limits.checkValue("variable " + name, value);
        run.setVariable(Variables.VARS + name, value);
    }

    @Override
    public void recordOutput(String stepName, Map<String, Object> output) {
        run.recordOutput(stepName, output);
    }

    @Override
    public void audit(String entry) {
        run.moveTo(Status.IN_PROGRESS, InstanceLimits.cap(entry, InstanceLimits.MAX_TEXT_CHARS));
    }

    @Override
    public String startWorkflow(
            String definitionId, String entityType, String entityId, Map<String, Object> inputs, boolean waits) {
        String stepMessageId = run.messageId(InstanceIds.stepMessageId(run.instance.getInstanceId(), pc));
        return run.startWorkflow(stepMessageId, definitionId, entityType, entityId, inputs, waits);
    }

    @Override
    public void waitForChild(Step step, String childInstanceId) {
        run.waitForChild(step, childInstanceId);
    }

    @Override
    public Next compensateNext() {
        return run.compensateNext();
    }

    @Override
    public void fork(Step step) {
        Parallel.fork(run, step);
    }

    @Override
    public Next endBranch(String result) {
        if (!Parallel.inBranch(run.instance)) {
            return Next.fail("reached the end of a branch outside a parallel step");
        }
        run.branchEnded = true;
        run.branchResult = result;
        run.instance.setWait(null);
        return Next.halt();
    }

    @Override
    public int attempt() {
        return run.instance.getStepAttempt();
    }

    @Override
    public WorkItem workItem() {
        return Parallel.workItem(run.instance);
    }

    @Override
    public void assign(WorkItem item) {
        if (!Parallel.inBranch(run.instance)) {
            throw new ExpressionException("a work item outside an approval step");
        }
        Parallel.assign(run.instance, item);
    }

    @Override
    public void cancelBranches(String reason) {
        Parallel.close(run, reason, null, -1);
    }

    @Override
    public void complete(boolean canceled, String reason) {
        run.moveTo(canceled ? Status.CANCELED : Status.SUCCEEDED, reason);
    }
}
