package dev.loopline.runtime.domain;

import static dev.loopline.runtime.domain.Fixtures.T0;
import static org.assertj.core.api.Assertions.assertThat;

import dev.loopline.api.internal.BranchStatus;
import dev.loopline.api.internal.ChildCompleted;
import dev.loopline.api.internal.CloseWait;
import dev.loopline.api.internal.DeliverEvent;
import dev.loopline.api.internal.InstanceRecord;
import dev.loopline.api.internal.OperatorAction;
import dev.loopline.api.internal.OperatorCommand;
import dev.loopline.api.internal.WaitKind;
import dev.loopline.api.v1.AckError;
import dev.loopline.api.v1.Acknowledgement;
import dev.loopline.api.v1.InstanceState;
import dev.loopline.api.v1.InstanceTransition;
import dev.loopline.api.v1.Outcome;
import dev.loopline.api.v1.PlatformEvent;
import dev.loopline.api.v1.WorkflowDefinition;
import dev.loopline.api.v1.WorkflowMessage;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Parallel branches in the state machine: each join policy, a branch failing, cancel, timeout,
 * resume and a stop during a join, and children in branches. Program of {@link #threeMessages}:
 * 0 PARALLEL, 1 JUMP → 8, 2 a1, 3 END-BRANCH, 4 b1, 5 END-BRANCH, 6 c1, 7 END-BRANCH, 8 after.
 */
class ParallelStepTest {

    private static final String ID = "instance-1";
    private final InstanceMachine machine = Fixtures.machine();

    private static WorkflowDefinition threeMessages(String join) {
        return Fixtures.definitionOf("""
                {"name":"fan","kind":"parallel","join":%s,"branches":[
                  {"name":"a","steps":[{"name":"a1","kind":"send-message","messageName":"A"}]},
                  {"name":"b","steps":[{"name":"b1","kind":"send-message","messageName":"B"}]},
                  {"name":"c","steps":[{"name":"c1","kind":"send-message","messageName":"C"}]}]},
                {"name":"after","kind":"send-message","messageName":"After",
                 "payload":{"a":"=steps.fan.a","b":"=steps.fan.b","ok":"=steps.fan.succeeded"}}""".formatted(join));
    }

    @Test
    void shouldStartEveryBranchAndWaitForAllOfThemInOneSuspendedTransition() {
        Decision forked = acknowledge(started(threeMessages("\"all\"")), ID + "/started");

        assertThat(forked.messages())
                .extracting(WorkflowMessage::getMessageName)
                .containsExactly("A", "B", "C");
        assertThat(Fixtures.statuses(forked)).containsExactly(20, 10);
        InstanceTransition waiting = Fixtures.last(forked);
        assertThat(waiting.getStepName()).isEqualTo("fan");
        assertThat(waiting.getWaitingFor()).containsExactly("message:A", "message:B", "message:C");
        assertThat(waiting.getReason()).startsWith("waiting for the join of step fan: branches a (");
        InstanceRecord instance = forked.next().orElseThrow();
        assertThat(instance.getWait().getKind()).isEqualTo(WaitKind.JOIN);
        assertThat(instance.getParallel().getBranches())
                .extracting(branch -> branch.getWait().getMessageId())
                .containsExactly(ID + "/step-2", ID + "/step-4", ID + "/step-6");
    }

    @Test
    void shouldGoOnWhenAllBranchesSucceededInAnyOrder() {
        InstanceRecord forked = ack(started(threeMessages("\"all\"")), ID + "/started");

        InstanceRecord afterC = ack(forked, ID + "/step-6");
        InstanceRecord afterA = ack(afterC, ID + "/step-2");
        Decision joined = acknowledge(afterA, ID + "/step-4");

        assertThat(Fixtures.last(acknowledge(afterC, ID + "/step-2")).getWaitingFor())
                .containsExactly("message:B");
        assertThat(joined.messages()).singleElement().satisfies(after -> {
            assertThat(after.getMessageName()).isEqualTo("After");
            assertThat(after.getPayload())
                    .containsEntry("a", "Succeeded")
                    .containsEntry("b", "Succeeded")
                    .containsEntry("ok", 3L);
        });
        InstanceRecord next = joined.next().orElseThrow();
        assertThat(next.getParallel()).isNull();
        assertThat(next.getStepIndex()).isEqualTo(8);
        // a branch's acknowledgement that came twice changes nothing
        assertThat(acknowledge(afterA, ID + "/step-2").isIgnored()).isTrue();
    }

    @Test
    void shouldGoOnAtTheFirstBranchUnderAnyAndCancelTheOthers() {
        InstanceRecord forked = ack(started(threeMessages("\"any\"")), ID + "/started");

        Decision joined = acknowledge(forked, ID + "/step-4");

        assertThat(joined.messages())
                .singleElement()
                .satisfies(after -> assertThat(after.getPayload())
                        .containsEntry("a", "Canceled")
                        .containsEntry("b", "Succeeded")
                        .containsEntry("ok", 1L));
        assertThat(acknowledge(joined.next().orElseThrow(), ID + "/step-2").isIgnored())
                .as("a canceled branch's late acknowledgement")
                .isTrue();
    }

    @Test
    void shouldWaitForTwoOfThreeThroughOneFailingBranch() {
        InstanceRecord forked = ack(started(threeMessages("2")), ID + "/started");

        Decision aFailed = machine.acknowledge(forked, failed(ID + "/step-2", "permanent"), T0);
        InstanceRecord waiting = aFailed.next().orElseThrow();
        Decision joined = acknowledge(ack(waiting, ID + "/step-6"), ID + "/step-4");

        assertThat(Fixtures.statuses(aFailed)).containsExactly(20, 10);
        assertThat(Fixtures.last(aFailed).getReason())
                .contains("branches b (waiting for acknowledgement of instance-1/step-4), c (");
        assertThat(waiting.getParallel().getBranches().get(0).getStatus()).isEqualTo(BranchStatus.FAILED);
        assertThat(joined.messages())
                .singleElement()
                .satisfies(after -> assertThat(after.getPayload())
                        .containsEntry("a", "Failed")
                        .containsEntry("ok", 2L));
    }

    @Test
    void shouldFailTheStepWhenABranchFailureMeansTheJoinCanNoLongerBeMet() {
        WorkflowDefinition definition = Fixtures.definitionOf("""
                {"name":"fan","kind":"parallel","branches":[
                  {"name":"a","steps":[{"name":"a1","kind":"send-message","messageName":"A"}]},
                  {"name":"b","steps":[{"name":"b1","kind":"wait-for-event","timeout":"PT1H",
                     "event":{"entityType":"expense_report","messageName":"Paid","key":"trigger.entityId"}}]}]}""");
        InstanceRecord forked = ack(started(definition), ID + "/started");
        String eventWait = forked.getParallel().getBranches().get(1).getWait().getWaitId();

        Decision failed = machine.acknowledge(forked, failed(ID + "/step-2", "permanent"), T0);

        assertThat(Fixtures.statuses(failed)).endsWith(31);
        assertThat(Fixtures.last(failed).getReason())
                .contains("step fan: the join (all 2) can no longer be met: a: step a1 failed: E1");
        // branch b was canceled: its correlation entry and its timeout go
        assertThat(failed.correlations())
                .singleElement()
                .satisfies(close ->
                        assertThat(((CloseWait) close.getCommand()).getWaitId()).isEqualTo(eventWait));
        assertThat(failed.timers()).anySatisfy(timer -> {
            assertThat(timer.waitId()).isEqualTo(eventWait);
            assertThat(timer.set()).isFalse();
        });
    }

    @Test
    void shouldGiveEachBranchItsOwnEventWaitAndTimer() {
        WorkflowDefinition definition = Fixtures.definitionOf("""
                {"name":"fan","kind":"parallel","branches":[
                  {"name":"paid","steps":[{"name":"paid1","kind":"wait-for-event",
                     "event":{"entityType":"expense_report","messageName":"Paid","key":"trigger.entityId"}}]},
                  {"name":"cool","steps":[{"name":"cool1","kind":"delay","duration":"PT10M"}]}]},
                {"name":"after","kind":"send-message","messageName":"After","payload":{"by":"=steps.paid1.eventId"}}""");
        InstanceRecord forked = ack(started(definition), ID + "/started");
        String eventWait = forked.getParallel().getBranches().get(0).getWait().getWaitId();
        String delayWait = forked.getParallel().getBranches().get(1).getWait().getWaitId();

        Decision paid =
                machine.deliver(forked, new DeliverEvent(eventWait, event("paid-1", "Paid")), T0.plusSeconds(1));
        Decision cooled = machine.timerFired(paid.next().orElseThrow(), delayWait, T0.plus(Duration.ofMinutes(10)));

        assertThat(paid.messages()).isEmpty();
        assertThat(Fixtures.last(paid).getWaitingFor()).containsExactly("timer");
        assertThat(cooled.messages())
                .singleElement()
                .satisfies(after -> assertThat(after.getPayload()).containsEntry("by", "paid-1"));
    }

    @Test
    void shouldRetryAFailedBranchStepAsANewAttemptOfThatBranchAlone() {
        InstanceRecord forked = ack(started(threeMessages("\"all\"")), ID + "/started");

        Decision retrying = machine.acknowledge(forked, failed(ID + "/step-4", "transient"), T0);
        InstanceRecord waiting = retrying.next().orElseThrow();
        String retryWait = waiting.getParallel().getBranches().get(1).getWait().getWaitId();
        Decision retried = machine.timerFired(waiting, retryWait, T0.plus(Duration.ofMinutes(5)));

        assertThat(waiting.getState()).isEqualTo(InstanceState.SUSPENDED);
        assertThat(waiting.getParallel().getBranches().get(1).getRetryCount()).isEqualTo(1);
        assertThat(retried.messages())
                .singleElement()
                .satisfies(message -> assertThat(message.getMessageId()).isEqualTo(ID + "/step-4/attempt-1"));
        assertThat(retried.next()
                        .orElseThrow()
                        .getParallel()
                        .getBranches()
                        .get(0)
                        .getWait()
                        .getMessageId())
                .as("the other branches keep their waits")
                .isEqualTo(ID + "/step-2");
    }

    @Test
    void shouldCancelEveryOpenBranchAndTheirChildrenWhenAnOperatorCancels() {
        WorkflowDefinition definition = Fixtures.definitionOf("""
                {"name":"fan","kind":"parallel","branches":[
                  {"name":"check","steps":[{"name":"check1","kind":"call-workflow","definition":"credit-check"}]},
                  {"name":"pay","steps":[{"name":"pay1","kind":"wait-for-event","timeout":"PT1H",
                     "event":{"entityType":"expense_report","messageName":"Paid","key":"trigger.entityId"}}]}]}""");
        Decision forked = acknowledge(started(definition), ID + "/started");
        InstanceRecord waiting = forked.next().orElseThrow();
        String child = waiting.getParallel().getBranches().get(0).getWait().getChildInstanceId();

        OperatorOutcome canceled = machine.operate(waiting, cancel(), T0);

        assertThat(forked.starts())
                .singleElement()
                .satisfies(start -> assertThat(start.getStartsDefinition()).isEqualTo("credit-check"));
        assertThat(canceled.accepted()).isTrue();
        assertThat(Fixtures.statuses(canceled.decision())).containsExactly(22, 32);
        assertThat(canceled.decision().commands()).singleElement().satisfies(command -> {
            assertThat(command.getInstanceId()).isEqualTo(child);
            assertThat(((OperatorCommand) command.getCommand()).getAction()).isEqualTo(OperatorAction.CANCEL);
        });
        assertThat(canceled.decision().correlations()).hasSize(1);
        assertThat(canceled.decision().timers())
                .anySatisfy(timer -> assertThat(timer.set()).isFalse());
        assertThat(canceled.decision().next().orElseThrow().getParallel()).isNull();
        // and a child's completion after that changes nothing
        assertThat(machine.childCompleted(
                                canceled.decision().next().orElseThrow(),
                                new ChildCompleted(child, 32, null, Map.of()),
                                T0)
                        .isIgnored())
                .isTrue();
    }

    @Test
    void shouldJoinChildrenAndFailWithAChildThatFails() {
        WorkflowDefinition definition = Fixtures.definitionOf("""
                {"name":"fan","kind":"parallel","branches":[
                  {"name":"x","steps":[{"name":"x1","kind":"call-workflow","definition":"credit-check"}]},
                  {"name":"y","steps":[{"name":"y1","kind":"call-workflow","definition":"credit-check"}]}]},
                {"name":"after","kind":"send-message","messageName":"After","payload":{"score":"=steps.y1.score"}}""");
        InstanceRecord waiting = ack(started(definition), ID + "/started");
        String x = waiting.getParallel().getBranches().get(0).getWait().getChildInstanceId();
        String y = waiting.getParallel().getBranches().get(1).getWait().getChildInstanceId();

        Decision yDone = machine.childCompleted(waiting, new ChildCompleted(y, 30, null, Map.of("score", 7L)), T0);
        Decision joined =
                machine.childCompleted(yDone.next().orElseThrow(), new ChildCompleted(x, 30, null, Map.of()), T0);
        Decision xFailed =
                machine.childCompleted(yDone.next().orElseThrow(), new ChildCompleted(x, 31, "no", Map.of()), T0);

        assertThat(x).isNotEqualTo(y);
        assertThat(joined.messages())
                .singleElement()
                .satisfies(after -> assertThat(after.getPayload()).containsEntry("score", 7L));
        assertThat(Fixtures.statuses(xFailed)).endsWith(31);
        assertThat(Fixtures.last(xFailed).getReason()).contains("x: child workflow " + x + " ended with status 31: no");
    }

    @Test
    void shouldCancelTheOpenBranchesAndRunOnTimeoutWhenTheJoinTimesOut() {
        WorkflowDefinition definition = Fixtures.definitionOf("""
                {"name":"fan","kind":"parallel","timeout":"PT1H","branches":[
                  {"name":"a","steps":[{"name":"a1","kind":"send-message","messageName":"A"}]},
                  {"name":"b","steps":[{"name":"b1","kind":"send-message","messageName":"B"}]}],
                 "onTimeout":[{"name":"late","kind":"send-message","messageName":"Late",
                               "payload":{"a":"=steps.fan.a","b":"=steps.fan.b"}}]}""");
        Decision forked = acknowledge(started(definition), ID + "/started");
        InstanceRecord waiting = ack(forked.next().orElseThrow(), ID + "/step-2");
        String join = waiting.getWait().getWaitId();

        Decision timedOut = machine.timerFired(waiting, join, T0.plus(Duration.ofHours(1)));

        assertThat(forked.timers()).singleElement().satisfies(timer -> {
            assertThat(timer.waitId()).isEqualTo(join);
            assertThat(timer.dueAt()).isEqualTo(T0.plus(Duration.ofHours(1)));
        });
        assertThat(timedOut.messages()).singleElement().satisfies(late -> {
            assertThat(late.getMessageName()).isEqualTo("Late");
            assertThat(late.getPayload()).containsEntry("a", "Succeeded").containsEntry("b", "Canceled");
        });
        assertThat(acknowledge(timedOut.next().orElseThrow(), ID + "/step-4").isIgnored())
                .isTrue();
    }

    @Test
    void shouldResumeEachOpenBranchAsANewAttempt() {
        InstanceRecord forked = ack(started(threeMessages("\"all\"")), ID + "/started");
        InstanceRecord suspended = machine.acknowledge(forked, failed(ID + "/step-4", "suspend"), T0)
                .next()
                .orElseThrow();
        InstanceRecord aDone = ack(suspended, ID + "/step-2");

        OperatorOutcome resumed = machine.operate(
                aDone,
                OperatorCommand.newBuilder()
                        .setRequestId("r-2")
                        .setAction(OperatorAction.RESUME)
                        .build(),
                T0);

        assertThat(Fixtures.last(machine.acknowledge(forked, failed(ID + "/step-4", "suspend"), T0))
                        .getReason())
                .contains("b (suspended: step b1 failed");
        assertThat(resumed.accepted()).isTrue();
        assertThat(resumed.decision().messages())
                .extracting(WorkflowMessage::getMessageId)
                .containsExactly(ID + "/step-4/attempt-1", ID + "/step-6/attempt-1");
        assertThat(Fixtures.statuses(resumed.decision())).containsExactly(0, 20, 10);
    }

    @Test
    void shouldEndEveryBranchWhenAStopStepInOneEndsTheInstance() {
        WorkflowDefinition definition = Fixtures.definitionOf("""
                {"name":"fan","kind":"parallel","branches":[
                  {"name":"a","steps":[{"name":"a1","kind":"send-message","messageName":"A"},
                                       {"name":"enough","kind":"stop"}]},
                  {"name":"b","steps":[{"name":"b1","kind":"wait-for-event",
                     "event":{"entityType":"expense_report","messageName":"Paid","key":"trigger.entityId"}}]}]}""");
        InstanceRecord forked = ack(started(definition), ID + "/started");

        Decision stopped = acknowledge(forked, ID + "/step-2");

        assertThat(Fixtures.statuses(stopped)).endsWith(30);
        assertThat(stopped.correlations()).hasSize(1);
        InstanceRecord done = stopped.next().orElseThrow();
        assertThat(done.getParallel()).isNull();
        assertThat(done.getWait().getKind()).isEqualTo(WaitKind.RETENTION);
    }

    @Test
    void shouldJoinAtOnceWhenTheBranchesNeverWait() {
        WorkflowDefinition definition = Fixtures.definitionOf("""
                {"name":"fan","kind":"parallel","branches":[
                  {"name":"a","steps":[{"name":"sa","kind":"set-variable","variable":"x","value":"1"}]},
                  {"name":"b","steps":[{"name":"sb","kind":"set-variable","variable":"x","value":"2"}]}]},
                {"name":"after","kind":"send-message","messageName":"After","payload":{"x":"=vars.x"}}""");

        Decision decision = acknowledge(started(definition), ID + "/started");

        // branches run in document order: the later write wins
        assertThat(decision.messages())
                .singleElement()
                .satisfies(after -> assertThat(after.getPayload()).containsEntry("x", 2L));
    }

    @Test
    void shouldNotStartTheBranchesLeftOnceTheJoinIsDecided() {
        WorkflowDefinition definition = Fixtures.definitionOf("""
                {"name":"fan","kind":"parallel","join":"any","branches":[
                  {"name":"a","steps":[{"name":"sa","kind":"set-variable","variable":"x","value":"1"}]},
                  {"name":"b","steps":[{"name":"b1","kind":"send-message","messageName":"B"}]}]},
                {"name":"after","kind":"send-message","messageName":"After","payload":{"b":"=steps.fan.b"}}""");

        Decision decision = acknowledge(started(definition), ID + "/started");

        assertThat(decision.messages()).singleElement().satisfies(after -> {
            assertThat(after.getMessageName()).isEqualTo("After");
            assertThat(after.getPayload()).containsEntry("b", "Canceled");
        });
    }

    @Test
    void shouldDeliverOneEventToEachBranchThatWaitsForIt() {
        WorkflowDefinition definition = Fixtures.definitionOf("""
                {"name":"fan","kind":"parallel","branches":[
                  {"name":"a","steps":[{"name":"a1","kind":"wait-for-event",
                     "event":{"entityType":"expense_report","messageName":"Paid","key":"trigger.entityId"}}]},
                  {"name":"b","steps":[{"name":"b1","kind":"wait-for-event",
                     "event":{"entityType":"expense_report","messageName":"Paid","key":"trigger.entityId"}}]}]},
                {"name":"after","kind":"send-message","messageName":"After"}""");
        InstanceRecord forked = ack(started(definition), ID + "/started");
        PlatformEvent paid = event("paid-1", "Paid");

        InstanceRecord aGot = machine.deliver(
                        forked,
                        new DeliverEvent(
                                forked.getParallel()
                                        .getBranches()
                                        .get(0)
                                        .getWait()
                                        .getWaitId(),
                                paid),
                        T0)
                .next()
                .orElseThrow();
        Decision bGot = machine.deliver(
                aGot,
                new DeliverEvent(
                        aGot.getParallel().getBranches().get(1).getWait().getWaitId(), paid),
                T0);

        assertThat(bGot.isIgnored()).isFalse();
        assertThat(bGot.messages())
                .singleElement()
                .satisfies(after -> assertThat(after.getMessageName()).isEqualTo("After"));
    }

    // --- helpers ---

    private InstanceRecord started(WorkflowDefinition definition) {
        return machine.start(
                        ID,
                        Fixtures.startOf(definition, Fixtures.expenseSubmitted("event-1", "report-7"))
                                .build(),
                        T0)
                .next()
                .orElseThrow();
    }

    private Decision acknowledge(InstanceRecord instance, String messageId) {
        return machine.acknowledge(instance, Fixtures.acknowledgement(ID, messageId, Outcome.SUCCEEDED), T0);
    }

    private InstanceRecord ack(InstanceRecord instance, String messageId) {
        Decision decision = acknowledge(instance, messageId);
        assertThat(decision.isIgnored())
                .as("acknowledgement of %s applied", messageId)
                .isFalse();
        return decision.next().orElseThrow();
    }

    private static Acknowledgement failed(String messageId, String category) {
        return Acknowledgement.newBuilder()
                .setMessageId(messageId)
                .setReplyToken(Fixtures.TOKEN)
                .setInstanceId(ID)
                .setOutcome(Outcome.FAILED)
                .setError(AckError.newBuilder()
                        .setCode("E1")
                        .setMessage("it broke")
                        .setCategory(category)
                        .build())
                .build();
    }

    private static OperatorCommand cancel() {
        return OperatorCommand.newBuilder()
                .setRequestId("r-1")
                .setAction(OperatorAction.CANCEL)
                .build();
    }

    private static PlatformEvent event(String eventId, String name) {
        return PlatformEvent.newBuilder()
                .setEventId(eventId)
                .setSource("app")
                .setEntityType("expense_report")
                .setEntityId("report-7")
                .setMessageName(name)
                .setOccurredAt(T0)
                .build();
    }
}
