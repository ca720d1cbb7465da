package dev.loopline.runtime.domain;

import static dev.loopline.runtime.domain.Fixtures.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.loopline.api.internal.DeliverEvent;
import dev.loopline.api.internal.InstanceRecord;
import dev.loopline.api.internal.OperatorAction;
import dev.loopline.api.internal.OperatorCommand;
import dev.loopline.api.v1.MessageKind;
import dev.loopline.api.v1.Outcome;
import dev.loopline.api.v1.PlatformEvent;
import dev.loopline.api.v1.WorkItem;
import dev.loopline.api.v1.WorkflowDefinition;
import dev.loopline.api.v1.WorkflowMessage;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The approval step in the state machine: each completion policy, delegation, escalation, a
 * request for change and a cancel. Program of {@link #approval}: 0 APPROVAL, 1 JUMP → past the
 * items, then each item's WORK-ITEM and END-BRANCH (2 and 3, 4 and 5, …), then "decided".
 */
class ApprovalStepTest {

    private static final String ID = "instance-1";
    private final InstanceMachine machine = Fixtures.machine();

    private static WorkflowDefinition approval(String assignees, String policy, String extra) {
        return Fixtures.definitionOf("""
                {"name":"approve","kind":"approval","assignees":[%s],"policy":"%s",
                 "subject":"='Expense ' + trigger.entityId","dueIn":"P2D"%s},
                {"name":"decided","kind":"send-message","messageName":"Decided",
                 "payload":{"outcome":"=steps.approve.outcome","approvals":"=steps.approve.approvals",
                            "first":"=steps.approve.item1"}}""".formatted(assignees, policy, extra));
    }

    @Test
    void shouldCreateOneWorkItemPerAssigneeAsAPlatformTaskAndListThemOnTheTransition() {
        InstanceRecord started = started(approval("\"alice\", \"=trigger.attributes.manager\"", "all", ""));

        Decision forked = machine.acknowledge(started, ack(ID + "/started"), T0);

        assertThat(forked.messages()).hasSize(2).allSatisfy(message -> {
            assertThat(message.getKind()).isEqualTo(MessageKind.TASK_CREATED);
            assertThat(message.getPayload())
                    .containsEntry("subject", "Expense report-7")
                    .containsEntry("dueAt", T0.plus(Duration.ofDays(2)).toString());
        });
        assertThat(forked.messages())
                .extracting(message -> message.getPayload().get("assignee"))
                .containsExactly("alice", "mallory");
        assertThat(forked.messages().get(0).getPayload()).containsEntry("taskId", ID + "-task-2");
        assertThat(Fixtures.last(forked).getWorkItems())
                .extracting(WorkItem::getId, WorkItem::getAssignee, WorkItem::getStep)
                .containsExactly(
                        tuple(ID + "-task-2", "alice", "approve"), tuple(ID + "-task-4", "mallory", "approve"));
    }

    @Test
    void shouldApproveUnderAllOnlyWhenEveryAssigneeApprovedWithADelegationBetween() {
        InstanceRecord waiting = open(approval("\"alice\", \"bob\"", "all", ""));

        Decision delegated = answer(waiting, 2, "Delegate", Map.of("delegateTo", "carol"));
        InstanceRecord afterBob = answered(delegated.next().orElseThrow(), 4, "Approve");
        Decision decided = answer(afterBob, 2, "Approve", Map.of("by", "carol"));

        assertThat(delegated.messages()).isEmpty();
        assertThat(Fixtures.last(delegated).getWorkItems())
                .extracting(WorkItem::getAssignee, WorkItem::getDelegatedFrom)
                .containsExactly(tuple("carol", "alice"), tuple("bob", null));
        assertThat(delegated.transitions())
                .anySatisfy(t ->
                        assertThat(t.getReason()).isEqualTo("work item " + ID + "-task-2 delegated by alice to carol"));
        assertThat(decided.messages())
                .singleElement()
                .satisfies(message -> assertThat(message.getPayload())
                        .containsEntry("outcome", "Approved")
                        .containsEntry("approvals", 2L)
                        .containsEntry("first", "Approve"));
        assertThat(Fixtures.last(decided).getWorkItems()).isEmpty();
    }

    @Test
    void shouldRejectUnderAllAtTheFirstRejectionAndCancelTheOtherItems() {
        InstanceRecord waiting = open(approval("\"alice\", \"bob\"", "all", ""));

        Decision decided = answer(waiting, 4, "Reject", Map.of());

        assertThat(decided.messages())
                .singleElement()
                .satisfies(message -> assertThat(message.getPayload())
                        .containsEntry("outcome", "Rejected")
                        .containsEntry("first", "Canceled"));
        assertThat(decided.correlations()).as("alice's item stops waiting").hasSize(2);
    }

    @Test
    void shouldDecideByMajority() {
        InstanceRecord waiting = open(approval("\"a\", \"b\", \"c\"", "majority", ""));

        InstanceRecord oneNo = answered(waiting, 2, "Reject");
        InstanceRecord oneYes = answered(oneNo, 4, "Approve");
        Decision approved = answer(oneYes, 6, "Approve", Map.of());
        Decision rejected = answer(oneNo, 4, "Reject", Map.of());

        assertThat(approved.messages())
                .singleElement()
                .satisfies(message -> assertThat(message.getPayload()).containsEntry("outcome", "Approved"));
        assertThat(rejected.messages())
                .singleElement()
                .satisfies(message -> assertThat(message.getPayload()).containsEntry("outcome", "Rejected"));
    }

    @Test
    void shouldLetTheFirstResponseDecideUnderFirst() {
        InstanceRecord waiting = open(approval("\"a\", \"b\", \"c\"", "first", ""));

        Decision rejected = answer(waiting, 6, "Reject", Map.of());
        Decision approved = answer(waiting, 4, "Approve", Map.of());

        assertThat(rejected.messages())
                .singleElement()
                .satisfies(message -> assertThat(message.getPayload()).containsEntry("outcome", "Rejected"));
        assertThat(approved.messages())
                .singleElement()
                .satisfies(message -> assertThat(message.getPayload()).containsEntry("outcome", "Approved"));
    }

    @Test
    void shouldDecideASingleQueueItemAndEndAtOnceOnARequestForChange() {
        WorkflowDefinition queued = Fixtures.definitionOf("""
                {"name":"approve","kind":"approval","queue":"finance"},
                {"name":"decided","kind":"send-message","messageName":"Decided",
                 "payload":{"outcome":"=steps.approve.outcome"}}""");
        InstanceRecord waiting = open(queued);

        Decision changed = answer(waiting, 2, "RequestChange", Map.of());
        Decision ignored = answer(waiting, 2, "Maybe", Map.of());

        assertThat(Fixtures.last(ack(started(queued), ID + "/started")).getWorkItems())
                .singleElement()
                .satisfies(item -> {
                    assertThat(item.getAssignee()).isEqualTo("finance");
                    assertThat(item.getQueue()).isTrue();
                });
        assertThat(changed.messages())
                .singleElement()
                .satisfies(message -> assertThat(message.getPayload()).containsEntry("outcome", "ChangeRequested"));
        assertThat(ignored.transitions())
                .as("an answer that is none is consumed quietly")
                .isEmpty();
        assertThat(ignored.next()
                        .orElseThrow()
                        .getParallel()
                        .getBranches()
                        .get(0)
                        .getWorkItem())
                .isNotNull();
    }

    @Test
    void shouldEscalateAnUnansweredItemOnceToTheEscalationAssignee() {
        InstanceRecord waiting = open(approval(
                "\"alice\", \"bob\"",
                "all",
                ",\"escalation\":{\"after\":\"P1D\",\"to\":\"=trigger.attributes.manager\"}"));
        String escalation = waiting.getParallel().getBranches().get(0).getWait().getWaitId();

        Decision escalated = machine.timerFired(waiting, escalation, T0.plus(Duration.ofDays(1)));

        assertThat(waiting.getParallel().getBranches().get(0).getWait().getDueAt())
                .isEqualTo(T0.plus(Duration.ofDays(1)));
        assertThat(Fixtures.last(escalated).getWorkItems())
                .extracting(WorkItem::getAssignee, WorkItem::getEscalatedFrom)
                .containsExactly(tuple("mallory", "alice"), tuple("bob", null));
        InstanceRecord after = escalated.next().orElseThrow();
        assertThat(after.getParallel().getBranches().get(0).getWait().getDueAt())
                .as("it escalates once")
                .isNull();
        assertThat(escalated.timers()).noneMatch(Decision.TimerChange::set);
    }

    @Test
    void shouldKeepTheEscalationOfAnItemThroughAnAnswerThatIsNoneAndRestartItOnADelegation() {
        InstanceRecord waiting = open(approval(
                "\"alice\", \"bob\"",
                "all",
                ",\"escalation\":{\"after\":\"P1D\",\"to\":\"=trigger.attributes.manager\"}"));

        Decision noAnswer = answer(waiting, 2, "Later", Map.of());
        Decision delegated = answer(waiting, 2, "Delegate", Map.of("delegateTo", "carol"));

        assertThat(noAnswer.timers()).isEmpty();
        assertThat(delegated
                        .next()
                        .orElseThrow()
                        .getParallel()
                        .getBranches()
                        .get(0)
                        .getWait()
                        .getDueAt())
                .isEqualTo(T0.plusSeconds(1).plus(Duration.ofDays(1)));
    }

    @Test
    void shouldCancelTheWorkItemsWithTheInstance() {
        InstanceRecord waiting = open(approval("\"alice\", \"bob\"", "all", ""));

        OperatorOutcome canceled = machine.operate(
                waiting,
                OperatorCommand.newBuilder()
                        .setRequestId("r-1")
                        .setAction(OperatorAction.CANCEL)
                        .build(),
                T0);

        assertThat(Fixtures.statuses(canceled.decision())).containsExactly(22, 32);
        assertThat(Fixtures.last(canceled.decision()).getWorkItems()).isEmpty();
        assertThat(canceled.decision().correlations()).hasSize(2);
    }

    // --- helpers ---

    private InstanceRecord started(WorkflowDefinition definition) {
        PlatformEvent trigger = PlatformEvent.newBuilder(Fixtures.expenseSubmitted("event-1", "report-7"))
                .setAttributes(Map.of("manager", "mallory"))
                .build();
        return machine.start(ID, Fixtures.startOf(definition, trigger).build(), T0)
                .next()
                .orElseThrow();
    }

    /** Started, and every work item created (its TaskCreated acknowledged): waiting for answers. */
    private InstanceRecord open(WorkflowDefinition definition) {
        Decision forked = ack(started(definition), ID + "/started");
        InstanceRecord instance = forked.next().orElseThrow();
        for (WorkflowMessage created : forked.messages()) {
            instance = ack(instance, created.getMessageId()).next().orElseThrow();
        }
        return instance;
    }

    private Decision ack(InstanceRecord instance, String messageId) {
        Decision decision = machine.acknowledge(instance, ack(messageId), T0);
        assertThat(decision.isIgnored()).as(messageId).isFalse();
        return decision;
    }

    private static dev.loopline.api.v1.Acknowledgement ack(String messageId) {
        return Fixtures.acknowledgement(ID, messageId, Outcome.SUCCEEDED);
    }

    /** The TaskChanged event that answers the work item of instruction {@code pc}. */
    private Decision answer(InstanceRecord instance, int pc, String outcome, Map<String, Object> more) {
        String task = dev.loopline.api.WorkItems.id(ID, pc, 0);
        String waitId = instance.getParallel().getBranches().stream()
                .filter(branch -> branch.getWorkItem() != null
                        && branch.getWorkItem().getId().equals(task))
                .findFirst()
                .orElseThrow()
                .getWait()
                .getWaitId();
        Map<String, Object> attributes = new HashMap<>(more);
        attributes.put("outcome", outcome);
        PlatformEvent event = PlatformEvent.newBuilder()
                .setEventId("answer-" + pc + "-" + outcome)
                .setSource("work-items")
                .setEntityType("task")
                .setEntityId(task)
                .setMessageName("TaskChanged")
                .setAttributes(attributes)
                .setOccurredAt(T0)
                .build();
        return machine.deliver(instance, new DeliverEvent(waitId, event), T0.plusSeconds(1));
    }

    private InstanceRecord answered(InstanceRecord instance, int pc, String outcome) {
        return answer(instance, pc, outcome, Map.of()).next().orElseThrow();
    }
}
