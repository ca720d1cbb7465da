package dev.loopline.definition.step;

import dev.loopline.api.WorkItems;
import dev.loopline.api.v1.MessageKind;
import dev.loopline.api.v1.PlatformEvent;
import dev.loopline.api.v1.Step;
import dev.loopline.api.v1.WorkItem;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * {@code work-item}, one per assignee of an {@link ApprovalStep}: a platform task. It posts a
 * TASK_CREATED message (payload: {@code taskId}, {@code assignee}, {@code queue}, {@code subject},
 * {@code dueAt}, {@code approval}) and, once the application acknowledges it, waits for TaskChanged
 * events on entity {@code task}/{@code <taskId>} whose attribute {@code outcome} answers it:
 *
 * <ul>
 *   <li>{@code Approve}, {@code Reject}, {@code RequestChange}: the item's branch ends with that
 *       outcome, and the approval's policy decides;
 *   <li>{@code Delegate}, with {@code delegateTo}: the item is now that person's, and stays open;
 *   <li>anything else is consumed and changes nothing (the wait's {@code until}): the item stays
 *       open, its escalation timer too.
 * </ul>
 *
 * An item unanswered {@code escalation.after} its creation (or its delegation) is reassigned to
 * {@code escalation.to}, once. Open items are on the instance's transitions ({@code workItems}), which is what {@code GET
 * /v1/work-items?assignee=} lists.
 */
final class WorkItemStep implements StepBehavior {

    static final String TYPE = "work-item";

    @Override
    public String name() {
        return TYPE;
    }

    @Override
    public Next start(Step step, StepContext context) {
        Map<String, Object> values = context.payload(step);
        String assignee = text(values.get("assignee"), "assignee");
        Instant dueAt = step.getDurationMillis() == null ? null : context.now().plusMillis(step.getDurationMillis());
        WorkItem item = WorkItem.newBuilder()
                .setId(id(context))
                .setAssignee(assignee)
                .setQueue(Boolean.TRUE.equals(values.get("queue")))
                .setStep(step.getName())
                .setSubject(values.get("subject") == null ? null : String.valueOf(values.get("subject")))
                .setDueAt(dueAt)
                .build();
        context.assign(item);
        Map<String, Object> payload = new HashMap<>();
        payload.put("taskId", item.getId());
        payload.put("assignee", assignee);
        payload.put("queue", item.getQueue());
        payload.put("subject", item.getSubject());
        payload.put("dueAt", dueAt == null ? null : dueAt.toString());
        payload.put("approval", step.getName());
        context.post(MessageKind.TASK_CREATED, "TaskCreated", payload, null, null, null);
        return Next.halt();
    }

    /** The application created the task: its events answer it; unanswered, it escalates. */
    @Override
    public Next acknowledged(Step step, StepContext context, Instant dueAt) {
        waitForAnswer(step, context, Timeouts.dueAt(step, context)); // the escalation's time
        return Next.halt();
    }

    @Override
    public Next eventReceived(Step step, StepContext context, PlatformEvent event) {
        WorkItem item = context.workItem();
        Object outcome = event.getAttributes().get(WorkItems.OUTCOME);
        String by = event.getAttributes().get(WorkItems.BY) == null
                ? item.getAssignee()
                : String.valueOf(event.getAttributes().get(WorkItems.BY));
        if (WorkItems.APPROVE.equals(outcome)
                || WorkItems.REJECT.equals(outcome)
                || WorkItems.REQUEST_CHANGE.equals(outcome)) {
            context.audit("work item " + item.getId() + " answered " + outcome + " by " + by);
            return context.endBranch((String) outcome);
        }
        // a delegation (the wait's until lets no other answer through): the item stays open for
        // its new assignee, and escalates after as long again, unless it escalated already
        Object delegateTo = event.getAttributes().get(WorkItems.DELEGATE_TO);
        if (delegateTo == null || String.valueOf(delegateTo).isBlank()) {
            waitForAnswer(step, context, null);
            return Next.halt();
        }
        context.assign(WorkItem.newBuilder(item)
                .setAssignee(String.valueOf(delegateTo))
                .setDelegatedFrom(item.getAssignee())
                .build());
        context.audit("work item " + item.getId() + " delegated by " + by + " to " + delegateTo);
        waitForAnswer(step, context, item.getEscalatedFrom() == null ? Timeouts.dueAt(step, context) : null);
        return Next.halt();
    }

    /** The item was not answered in time: it escalates, once, and waits on. */
    @Override
    public Next timerFired(Step step, StepContext context, String timedOut) {
        WorkItem item = context.workItem();
        Map<String, Object> values = context.payload(step);
        String to = text(values.get("escalateTo"), "escalation.to");
        context.assign(WorkItem.newBuilder(item)
                .setAssignee(to)
                .setEscalatedFrom(item.getAssignee())
                .build());
        context.audit("work item " + item.getId() + " escalated from " + item.getAssignee() + " to " + to);
        waitForAnswer(step, context, null);
        return Next.halt();
    }

    /**
     * The item's id: the step's task id, safe in a URL ({@link WorkItems#id}), and new on each
     * attempt, so that an answer to an earlier attempt's item answers nothing.
     */
    private static String id(StepContext context) {
        String task = context.taskId().replace("/task-", "-task-");
        return context.attempt() == 0 ? task : task + "." + context.attempt();
    }

    private static void waitForAnswer(Step step, StepContext context, Instant dueAt) {
        context.waitForEvent(step, context.workItem().getId(), dueAt);
    }

    private static String text(Object value, String what) {
        if (value == null || String.valueOf(value).isBlank()) {
            throw new dev.loopline.definition.expression.ExpressionException("the work item's " + what + " is empty");
        }
        return String.valueOf(value);
    }
}
