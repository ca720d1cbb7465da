package dev.loopline.runtime.domain;

import static dev.loopline.runtime.domain.Fixtures.T0;
import static org.assertj.core.api.Assertions.assertThat;

import dev.loopline.api.internal.ChildCompleted;
import dev.loopline.api.internal.CloseWait;
import dev.loopline.api.internal.CorrelationCommand;
import dev.loopline.api.internal.DeliverEvent;
import dev.loopline.api.internal.InstanceRecord;
import dev.loopline.api.internal.OpenWait;
import dev.loopline.api.internal.OperatorAction;
import dev.loopline.api.internal.OperatorCommand;
import dev.loopline.api.internal.StartInstance;
import dev.loopline.api.internal.WaitKind;
import dev.loopline.api.v1.AckError;
import dev.loopline.api.v1.Acknowledgement;
import dev.loopline.api.v1.Causation;
import dev.loopline.api.v1.InstanceState;
import dev.loopline.api.v1.InstanceTransition;
import dev.loopline.api.v1.MessageKind;
import dev.loopline.api.v1.Outcome;
import dev.loopline.api.v1.PlatformEvent;
import dev.loopline.api.v1.StepKind;
import dev.loopline.api.v1.WorkflowDefinition;
import dev.loopline.api.v1.WorkflowMessage;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** The state machine, step kind by step kind, from definition documents as administrators write them. */
class InstanceMachineTest {

    private static final String ID = "instance-1";
    private final InstanceMachine machine = Fixtures.machine();

    @Nested
    class Starting {

        @Test
        void shouldGoReadyThenLockedThenSuspendedWaitingForTheStartedAcknowledgement() {
            Decision decision = start(steps("{\"name\":\"a\",\"kind\":\"send-message\",\"messageName\":\"M\"}"));

            assertThat(Fixtures.statuses(decision)).containsExactly(0, 20, 10);
            assertThat(decision.transitions())
                    .extracting(InstanceTransition::getSequence)
                    .containsExactly(1, 2, 3);
            assertThat(decision.messages()).singleElement().satisfies(message -> {
                assertThat(message.getMessageId()).isEqualTo(ID + "/started");
                assertThat(message.getKind()).isEqualTo(MessageKind.WORKFLOW_STARTED);
                assertThat(message.getEntityId()).isEqualTo("report-7");
            });
            InstanceRecord instance = decision.next().orElseThrow();
            assertThat(instance.getState()).isEqualTo(InstanceState.SUSPENDED);
            assertThat(instance.getWait().getKind()).isEqualTo(WaitKind.ACKNOWLEDGEMENT);
            assertThat(instance.getWait().getMessageId()).isEqualTo(ID + "/started");
        }

        @Test
        void shouldOnlyAwaitTheStartedAcknowledgementWhenTheEventHalfPostedTheMessage() {
            WorkflowDefinition definition = steps("{\"name\":\"a\",\"kind\":\"send-message\",\"messageName\":\"M\"}");
            PlatformEvent trigger = Fixtures.expenseSubmitted("event-1", "report-7");

            Decision decision = machine.start(
                    ID,
                    Fixtures.startOf(definition, trigger)
                            .setStartedPosted(true)
                            .setStartedReplyToken(Fixtures.TOKEN)
                            .build(),
                    T0);

            assertThat(Fixtures.statuses(decision)).containsExactly(0, 20, 10);
            assertThat(decision.messages()).isEmpty();
            InstanceRecord instance = decision.next().orElseThrow();
            assertThat(instance.getWait().getMessageId()).isEqualTo(ID + "/started");
            // the message the event half posted is the one this wait expects
            assertThat(instance.getWait().getReplyToken()).isEqualTo(Fixtures.TOKEN);
            assertThat(InstanceMachine.startedMessage(ID, definition, trigger, T0, Fixtures.TOKEN))
                    .isEqualTo(start(definition, trigger).messages().get(0));
        }

        @Test
        void shouldIgnoreARepeatedAcknowledgementAndAnythingAfterCompletion() {
            InstanceRecord waiting = start(steps("{\"name\":\"a\",\"kind\":\"send-message\",\"messageName\":\"M\"}"))
                    .next()
                    .orElseThrow();
            InstanceRecord afterStarted = ack(waiting, ID + "/started", Map.of());
            InstanceRecord done = ack(afterStarted, ID + "/step-0", Map.of());

            assertThat(machine.acknowledge(afterStarted, succeeded(ID + "/started", Map.of()), T0)
                            .isIgnored())
                    .isTrue();
            assertThat(machine.acknowledge(done, succeeded(ID + "/step-0", Map.of()), T0)
                            .ignoredBecause())
                    .contains("instance already completed");
        }

        @Test
        void shouldLeaveTheInputInstanceUnchanged() {
            InstanceRecord waiting = start(steps("{\"name\":\"a\",\"kind\":\"send-message\",\"messageName\":\"M\"}"))
                    .next()
                    .orElseThrow();
            InstanceRecord copy = InstanceRecord.newBuilder(waiting).build();

            machine.acknowledge(waiting, succeeded(ID + "/started", Map.of()), T0);

            assertThat(waiting).isEqualTo(copy);
        }
    }

    @Nested
    class SendMessage {

        private final WorkflowDefinition definition = steps("""
                {"name":"approval","kind":"send-message","messageName":"RequestApproval",
                 "payload":{"approver":"manager","amount":"=trigger.attributes.amount * 2"},"timeout":"PT1H"}""");

        @Test
        void shouldPostTheStepMessageWithComputedPayloadAndWaitWithATimer() {
            Decision decision = acknowledge(started(definition), ID + "/started", Map.of());

            assertThat(Fixtures.statuses(decision)).containsExactly(20, 10);
            WorkflowMessage request = decision.messages().get(0);
            assertThat(request.getMessageId()).isEqualTo(ID + "/step-0");
            assertThat(request.getKind()).isEqualTo(MessageKind.STEP_REQUEST);
            assertThat(request.getPayload())
                    .containsEntry("approver", "manager")
                    .containsEntry("amount", 240L);
            assertThat(decision.timers()).singleElement().satisfies(timer -> {
                assertThat(timer.set()).isTrue();
                assertThat(timer.dueAt()).isEqualTo(T0.plus(Duration.ofHours(1)));
            });
        }

        @Test
        void shouldCancelTheTimerAndSucceedOnTheAcknowledgementKeepingItsOutput() {
            InstanceRecord waiting = ack(started(definition), ID + "/started", Map.of());

            Decision decision = acknowledge(waiting, ID + "/step-0", Map.of("approved", true));

            assertThat(Fixtures.statuses(decision)).containsExactly(20, 30);
            assertThat(decision.timers())
                    .as("the acknowledgement timer is cancelled; the retention timer set")
                    .extracting(Decision.TimerChange::set)
                    .containsExactly(false, true);
            assertThat(decision.next().orElseThrow().getVariables()).containsEntry("steps.approval.approved", true);
        }

        @Test
        void shouldFailWhenTheAcknowledgementTimesOut() {
            InstanceRecord waiting = ack(started(definition), ID + "/started", Map.of());

            Decision decision =
                    machine.timerFired(waiting, waiting.getWait().getWaitId(), T0.plus(Duration.ofHours(1)));

            assertThat(Fixtures.statuses(decision)).containsExactly(20, 31);
            assertThat(reason(decision)).contains("step approval timed out: no acknowledgement of " + ID + "/step-0");
        }

        @Test
        void shouldFailWithTheApplicationsErrorWhenAnAcknowledgementFails() {
            InstanceRecord waiting = ack(started(definition), ID + "/started", Map.of());
            Acknowledgement failed = Acknowledgement.newBuilder()
                    .setMessageId(ID + "/step-0")
                    .setReplyToken(Fixtures.TOKEN)
                    .setInstanceId(ID)
                    .setOutcome(Outcome.FAILED)
                    .setError(AckError.newBuilder()
                            .setCode("NoApprover")
                            .setMessage("no manager")
                            .setCategory("validation")
                            .build())
                    .build();

            Decision decision = machine.acknowledge(waiting, failed, T0);

            assertThat(Fixtures.statuses(decision)).containsExactly(20, 10);
            assertThat(reason(decision))
                    .isEqualTo("suspended: step approval failed: NoApprover: no manager; an operator can resume it");
        }

        @Test
        void shouldIgnoreAStaleTimer() {
            InstanceRecord waiting = ack(started(definition), ID + "/started", Map.of());

            assertThat(machine.timerFired(waiting, "0/99", T0).isIgnored()).isTrue();
        }
    }

    @Nested
    class CreateTask {

        private final WorkflowDefinition definition = steps("""
                {"name":"review","kind":"create-task","payload":{"title":"='Review ' + trigger.entityId"},
                 "until":"event.messageName == 'TaskDeleted' || event.attributes.status == 'Completed'",
                 "timeout":"P3D","onTimeout":[{"name":"escalate","kind":"send-message","messageName":"Escalate"}]},
                {"name":"done","kind":"send-message","messageName":"Reviewed","payload":{"outcome":"=steps.review.outcome"}}""");
        private final String taskId = ID + "/task-0";
        private final String taskKey = CorrelationKeys.of("task", "entityId", taskId);

        @Test
        void shouldPostTaskCreatedAndThenWaitForTheTasksEvents() {
            Decision created = acknowledge(started(definition), ID + "/started", Map.of());
            WorkflowMessage message = created.messages().get(0);
            assertThat(message.getKind()).isEqualTo(MessageKind.TASK_CREATED);
            assertThat(message.getMessageName()).isEqualTo("TaskCreated");
            assertThat(message.getPayload()).containsEntry("taskId", taskId).containsEntry("title", "Review report-7");

            Decision waiting = acknowledge(created.next().orElseThrow(), ID + "/step-0", Map.of());

            assertThat(Fixtures.statuses(waiting)).containsExactly(20, 10);
            assertThat(waiting.correlations()).singleElement().satisfies(command -> {
                assertThat(command.getCorrelationKey()).isEqualTo(taskKey);
                assertThat(((OpenWait) command.getCommand()).getMessageNames())
                        .containsExactly("TaskChanged", "TaskDeleted");
            });
            assertThat(waiting.next().orElseThrow().getWait().getKind()).isEqualTo(WaitKind.EVENT);
            assertThat(waiting.timers()).extracting(Decision.TimerChange::set).containsExactly(false, true);
        }

        @Test
        void shouldConsumeChangesThatDoNotCompleteTheTaskAndContinueOnTheOneThatDoes() {
            InstanceRecord waiting = waitingForTask();
            String waitId = waiting.getWait().getWaitId();

            Decision inProgress = deliver(waiting, waitId, taskEvent("e-1", "TaskChanged", "InProgress", null));
            InstanceRecord stillWaiting = inProgress.next().orElseThrow();
            Decision completed =
                    deliver(stillWaiting, waitId, taskEvent("e-2", "TaskChanged", "Completed", "Approved"));

            assertThat(inProgress.transitions()).isEmpty();
            assertThat(stillWaiting.getConsumedEventIds()).containsExactly("e-1");
            assertThat(Fixtures.statuses(completed)).containsExactly(20, 10);
            assertThat(completed.correlations())
                    .first()
                    .satisfies(c -> assertThat(c.getCommand()).isInstanceOf(CloseWait.class));
            assertThat(completed.messages().get(0).getPayload()).containsEntry("outcome", "Approved");
            assertThat(deliver(stillWaiting, waitId, taskEvent("e-1", "TaskChanged", "Completed", "x"))
                            .ignoredBecause())
                    .contains("event e-1 already consumed");
        }

        @Test
        void shouldRunTheTimeoutBranchWhenTheTaskTimesOut() {
            InstanceRecord waiting = waitingForTask();

            Decision decision = machine.timerFired(waiting, waiting.getWait().getWaitId(), T0.plus(Duration.ofDays(3)));

            assertThat(decision.messages())
                    .singleElement()
                    .satisfies(m -> assertThat(m.getMessageName()).isEqualTo("Escalate"));
            assertThat(decision.correlations())
                    .singleElement()
                    .satisfies(c -> assertThat(c.getCommand()).isInstanceOf(CloseWait.class));
            assertThat(decision.next().orElseThrow().getVariables()).containsEntry("steps.review.timedOut", true);
        }

        @Test
        void shouldRunTheTimeoutBranchWhenTheApplicationNeverAcknowledgesTaskCreated() {
            InstanceRecord created = ack(started(definition), ID + "/started", Map.of());

            Decision decision = machine.timerFired(created, created.getWait().getWaitId(), T0.plus(Duration.ofDays(3)));

            assertThat(decision.messages())
                    .extracting(WorkflowMessage::getMessageName)
                    .containsExactly("Escalate");
        }

        private InstanceRecord waitingForTask() {
            InstanceRecord created = ack(started(definition), ID + "/started", Map.of());
            return ack(created, ID + "/step-0", Map.of());
        }

        private PlatformEvent taskEvent(String eventId, String name, String status, String outcome) {
            Map<String, Object> attributes = new java.util.HashMap<>();
            attributes.put("status", status);
            if (outcome != null) {
                attributes.put("outcome", outcome);
            }
            return event(eventId, "task", taskId, name, attributes);
        }
    }

    @Nested
    class WaitForEvent {

        private final WorkflowDefinition definition = steps("""
                {"name":"payment","kind":"wait-for-event",
                 "event":{"entityType":"payment","messageName":["Received","Refused"],"keyField":"reportId","key":"trigger.entityId"},
                 "timeout":"PT10M"}""");

        @Test
        void shouldOpenAWaitUnderTheKeyTheExpressionGives() {
            Decision decision = acknowledge(started(definition), ID + "/started", Map.of());

            CorrelationCommand open = decision.correlations().get(0);
            assertThat(open.getCorrelationKey()).isEqualTo(CorrelationKeys.of("payment", "reportId", "report-7"));
            assertThat(reason(decision)).isEqualTo("waiting for Received/Refused on payment reportId=report-7");
        }

        @Test
        void shouldContinueWithTheEventsAttributesAsOutput() {
            InstanceRecord waiting = ack(started(definition), ID + "/started", Map.of());

            Decision decision = deliver(
                    waiting,
                    waiting.getWait().getWaitId(),
                    event("p-1", "payment", "pay-1", "Received", Map.of("reportId", "report-7", "amount", 120L)));

            assertThat(Fixtures.statuses(decision)).containsExactly(20, 30);
            assertThat(decision.next().orElseThrow().getVariables())
                    .containsEntry("steps.payment.amount", 120L)
                    .containsEntry("steps.payment.messageName", "Received");
        }

        @Test
        void shouldIgnoreOtherEventsAndClosedWaits() {
            InstanceRecord waiting = ack(started(definition), ID + "/started", Map.of());
            PlatformEvent other = event("p-2", "payment", "pay-1", "Disputed", Map.of());
            PlatformEvent received = event("p-3", "payment", "pay-1", "Received", Map.of());

            assertThat(deliver(waiting, waiting.getWait().getWaitId(), other).isIgnored())
                    .isTrue();
            assertThat(deliver(waiting, "0/42", received).isIgnored()).isTrue();
        }

        @Test
        void shouldNeverConsumeTheEventThatStartedTheInstance() {
            WorkflowDefinition onUpdate = steps("""
                    {"name":"next","kind":"wait-for-event",
                     "event":{"entityType":"expense_report","messageName":"Submitted","key":"trigger.entityId"}}""");
            InstanceRecord waiting = ack(started(onUpdate), ID + "/started", Map.of());

            Decision decision =
                    deliver(waiting, waiting.getWait().getWaitId(), Fixtures.expenseSubmitted("event-1", "report-7"));

            assertThat(decision.ignoredBecause()).contains("event event-1 started this instance");
        }

        @Test
        void shouldFailOnTimeoutWithoutATimeoutBranch() {
            InstanceRecord waiting = ack(started(definition), ID + "/started", Map.of());

            Decision decision = machine.timerFired(waiting, waiting.getWait().getWaitId(), T0.plusSeconds(600));

            assertThat(Fixtures.statuses(decision)).containsExactly(20, 31);
            assertThat(reason(decision)).isEqualTo("step payment timed out: no Received/Refused event");
            assertThat(decision.correlations())
                    .singleElement()
                    .satisfies(c -> assertThat(c.getCommand()).isInstanceOf(CloseWait.class));
        }
    }

    @Nested
    class Delay {

        @Test
        void shouldWaitForTheDurationThenContinue() {
            WorkflowDefinition definition = steps("{\"name\":\"pause\",\"kind\":\"delay\",\"duration\":\"PT30S\"}");

            Decision delayed = acknowledge(started(definition), ID + "/started", Map.of());
            InstanceRecord waiting = delayed.next().orElseThrow();
            Decision fired = machine.timerFired(waiting, waiting.getWait().getWaitId(), T0.plusSeconds(30));

            assertThat(waiting.getWait().getKind()).isEqualTo(WaitKind.TIMER);
            assertThat(delayed.timers()).extracting(Decision.TimerChange::dueAt).contains(T0.plusSeconds(30));
            assertThat(Fixtures.statuses(fired)).containsExactly(20, 30);
        }

        @Test
        void shouldPublishTheStepItWaitsInItsEndAndTheVariablesSoFar() {
            WorkflowDefinition definition = steps("{\"name\":\"pause\",\"kind\":\"delay\",\"duration\":\"PT30S\"}");

            Decision delayed = acknowledge(started(definition), ID + "/started", Map.of("approved", true));
            InstanceTransition waiting =
                    delayed.transitions().get(delayed.transitions().size() - 1);
            InstanceRecord instance = delayed.next().orElseThrow();
            Decision fired = machine.timerFired(instance, instance.getWait().getWaitId(), T0.plusSeconds(30));
            InstanceTransition completed =
                    fired.transitions().get(fired.transitions().size() - 1);

            assertThat(waiting.getStatusCode()).isEqualTo(10);
            assertThat(waiting.getStepName()).isEqualTo("pause");
            assertThat(waiting.getWaitingUntil()).isEqualTo(T0.plusSeconds(30));
            assertThat(waiting.getVariables()).containsEntry("steps.started.approved", true);
            assertThat(delayed.transitions().get(0).getVariables()).isEmpty(); // Locked: none
            assertThat(completed.getStatusCode()).isEqualTo(30);
            assertThat(completed.getStepName()).isNull();
            assertThat(completed.getWaitingUntil()).isNull();
            assertThat(completed.getVariables()).containsEntry("steps.started.approved", true);
        }

        @Test
        void shouldContinueAtOnceWhenTheUntilInstantHasPassed() {
            WorkflowDefinition definition =
                    steps("{\"name\":\"pause\",\"kind\":\"delay\",\"until\":\"'2020-01-01T00:00:00Z'\"}");

            assertThat(Fixtures.statuses(acknowledge(started(definition), ID + "/started", Map.of())))
                    .containsExactly(20, 30);
        }

        @Test
        void shouldWaitUntilAnInstantComputedFromVariables() {
            WorkflowDefinition definition =
                    steps("{\"name\":\"pause\",\"kind\":\"delay\",\"until\":\"trigger.occurredAt + duration('2h')\"}");

            Decision decision = acknowledge(started(definition), ID + "/started", Map.of());

            assertThat(decision.next().orElseThrow().getWait().getDueAt()).isEqualTo(T0.plus(Duration.ofHours(2)));
        }
    }

    @Nested
    class Condition {

        private final WorkflowDefinition definition = steps("""
                {"name":"route","kind":"condition","branches":[
                   {"when":"trigger.attributes.amount > 1000","steps":[{"name":"director","kind":"send-message","messageName":"Director"}]},
                   {"when":"trigger.attributes.amount > 100","steps":[{"name":"manager","kind":"send-message","messageName":"Manager"}]}],
                 "otherwise":[{"name":"auto","kind":"send-message","messageName":"AutoApprove"}]},
                {"name":"notify","kind":"send-message","messageName":"Notify"}""");

        @Test
        void shouldTakeTheFirstBranchWhoseConditionHolds() {
            assertThat(firstMessageFor(5000L)).isEqualTo("Director");
            assertThat(firstMessageFor(120L)).isEqualTo("Manager");
            assertThat(firstMessageFor(10L)).isEqualTo("AutoApprove");
        }

        @Test
        void shouldContinueAfterTheConditionOnceTheBranchIsDone() {
            InstanceRecord inBranch = ack(started(definition, 120L), ID + "/started", Map.of());

            Decision decision = acknowledge(inBranch, inBranch.getWait().getMessageId(), Map.of());

            assertThat(decision.messages())
                    .singleElement()
                    .satisfies(m -> assertThat(m.getMessageName()).isEqualTo("Notify"));
        }

        private String firstMessageFor(long amount) {
            return acknowledge(started(definition, amount), ID + "/started", Map.of())
                    .messages()
                    .get(0)
                    .getMessageName();
        }
    }

    @Nested
    class SetVariableUpsertAndStop {

        @Test
        void shouldSetAVariableThatLaterStepsRead() {
            WorkflowDefinition definition = steps("""
                    {"name":"total","kind":"set-variable","variable":"total","value":"trigger.attributes.amount + 1"},
                    {"name":"tell","kind":"send-message","messageName":"Total","payload":{"total":"=vars.total"}}""");

            Decision decision = acknowledge(started(definition), ID + "/started", Map.of());

            assertThat(decision.next().orElseThrow().getVariables()).containsEntry("vars.total", 121L);
            assertThat(decision.messages().get(0).getPayload()).containsEntry("total", 121L);
        }

        @Test
        void shouldPostAnUpsertWithTheEntityAndARaisedCausationDepth() {
            WorkflowDefinition definition = steps("""
                    {"name":"record","kind":"upsert-entity","entityType":"expense_report","entityId":"trigger.entityId",
                     "messageName":"Update","payload":{"status":"Approved"}}""");
            PlatformEvent caused = PlatformEvent.newBuilder(Fixtures.expenseSubmitted("event-1", "report-7"))
                    .setCausation(new Causation("earlier", 2, T0))
                    .build();

            Decision decision = acknowledge(start(definition, caused).next().orElseThrow(), ID + "/started", Map.of());

            WorkflowMessage upsert = decision.messages().get(0);
            assertThat(upsert.getKind()).isEqualTo(MessageKind.ENTITY_UPSERT);
            assertThat(upsert.getEntityType()).isEqualTo("expense_report");
            assertThat(upsert.getEntityId()).isEqualTo("report-7");
            assertThat(upsert.getCausation()).isEqualTo(new Causation(ID, 3, T0));
        }

        @Test
        void shouldStopAsSucceededOrCanceled() {
            assertThat(Fixtures.statuses(acknowledge(
                            started(steps("{\"name\":\"s\",\"kind\":\"stop\"}")), ID + "/started", Map.of())))
                    .containsExactly(20, 30);
            assertThat(Fixtures.statuses(acknowledge(
                            started(steps("{\"name\":\"s\",\"kind\":\"stop\",\"status\":\"canceled\"}")),
                            ID + "/started",
                            Map.of())))
                    .containsExactly(20, 32);
        }

        @Test
        void shouldFailTheStepWithTheMessageWhenAnExpressionFails() {
            WorkflowDefinition definition = steps(
                    "{\"name\":\"bad\",\"kind\":\"set-variable\",\"variable\":\"x\",\"value\":\"trigger.attributes.nope\"}");

            Decision decision = acknowledge(started(definition), ID + "/started", Map.of());

            assertThat(Fixtures.statuses(decision)).containsExactly(20, 31);
            assertThat(reason(decision)).startsWith("step bad (#0): 'trigger.attributes.nope' failed");
        }

        @Test
        void shouldFailAStepOfAKindThisRuntimeDoesNotKnow() {
            // what a definition compiled by a newer Loopline reads as here: the enum's default
            WorkflowDefinition definition = steps("{\"name\":\"later\",\"kind\":\"stop\"}");
            definition.getSteps().get(0).setKind(StepKind.UNKNOWN);

            Decision decision = acknowledge(started(definition), ID + "/started", Map.of());

            assertThat(Fixtures.statuses(decision)).containsExactly(20, 31);
            assertThat(reason(decision)).startsWith("step later (#0): the step's kind is unknown to this runtime");
        }
    }

    @Nested
    class Log {

        @Test
        void shouldWriteTheEntryToTheAuditTrailAndGoOn() {
            // given
            WorkflowDefinition definition = steps("""
                    {"name":"note","kind":"log","entry":"'over the limit: ' + string(trigger.attributes.amount)"},
                    {"name":"tell","kind":"send-message","messageName":"Notify"}""");

            // when
            Decision decision = acknowledge(started(definition, 120), ID + "/started", Map.of());

            // then
            assertThat(decision.transitions())
                    .filteredOn(transition -> "note".equals(transition.getStepName()))
                    .singleElement()
                    .satisfies(entry -> {
                        assertThat(entry.getStatusCode()).isEqualTo(20);
                        assertThat(entry.getReason()).isEqualTo("over the limit: 120");
                    });
            assertThat(decision.messages())
                    .extracting(WorkflowMessage::getMessageName)
                    .containsExactly("Notify");
            assertThat(Fixtures.statuses(decision)).endsWith(10);
        }

        @Test
        void shouldRunALogStepNamedByItsTypeAloneAndFailATypeThisRuntimeDoesNotKnow() {
            // given: what the compiler writes for a type the closed StepKind enum does not name
            WorkflowDefinition logged = steps("{\"name\":\"note\",\"kind\":\"log\",\"entry\":\"'seen'\"}");
            WorkflowDefinition later = steps("{\"name\":\"note\",\"kind\":\"log\",\"entry\":\"'seen'\"}");
            later.getSteps().get(0).setType("a-type-added-since");

            // when
            Decision ran = acknowledge(started(logged), ID + "/started", Map.of());
            Decision failed = acknowledge(started(later), ID + "/started", Map.of());

            // then
            assertThat(logged.getSteps().get(0).getKind()).isEqualTo(StepKind.UNKNOWN);
            assertThat(Fixtures.statuses(ran)).containsExactly(20, 20, 30);
            assertThat(Fixtures.statuses(failed)).containsExactly(20, 31);
            assertThat(reason(failed)).startsWith("step note (#0): the step's kind is unknown to this runtime");
        }
    }

    @Nested
    class OnDemand {

        @Test
        void shouldGiveTheStepsTheInitiationDataAsTriggerInputs() {
            // given
            WorkflowDefinition definition = steps("""
                    {"name":"tell","kind":"send-message","messageName":"Review","payload":{"why":"=trigger.inputs.reason"}}""");
            PlatformEvent start = PlatformEvent.newBuilder(Fixtures.expenseSubmitted("on-demand/test/r-1", "report-7"))
                    .setMessageName("OnDemand")
                    .setStartsDefinition("test")
                    .setInputs(Map.of("reason", "audit"))
                    .build();

            // when
            Decision decision = acknowledge(start(definition, start).next().orElseThrow(), ID + "/started", Map.of());

            // then
            assertThat(decision.messages().get(0).getPayload()).containsEntry("why", "audit");
        }
    }

    @Nested
    class Compensation {

        // reserve (#0, undone at #2..3) → charge (#4, undone at #6..7) → ship (#8)
        private final WorkflowDefinition saga = steps("""
                {"name":"reserve","kind":"send-message","messageName":"ReserveStock",
                 "compensation":{"messageName":"ReleaseStock","payload":{"order":"=trigger.entityId"}}},
                {"name":"charge","kind":"send-message","messageName":"ChargeCard",
                 "compensation":[{"name":"refund","kind":"send-message","messageName":"RefundCard"}]},
                {"name":"ship","kind":"send-message","messageName":"Ship",
                 "compensation":{"messageName":"Recall"}}""");

        @Test
        void shouldUndoTheStepsThatSucceededNewestFirstAndThenFail() {
            // given: reserve and charge succeeded
            InstanceRecord charged =
                    ack(ack(started(saga), ID + "/started", Map.of()), ID + "/step-0", Map.of("reservation", "r-1"));
            InstanceRecord shipping = ack(charged, ID + "/step-4", Map.of());

            // when: shipping fails for good
            Decision shipFailed = machine.acknowledge(shipping, failure(ID + "/step-8", "NoCarrier", "permanent"), T0);

            // then: the charge is refunded first, then the stock released, then the instance fails
            assertThat(shipFailed.messages())
                    .extracting(WorkflowMessage::getMessageName)
                    .containsExactly("RefundCard");
            InstanceRecord refunding = shipFailed.next().orElseThrow();
            assertThat(refunding.getState()).isEqualTo(InstanceState.SUSPENDED);
            Decision refunded = machine.acknowledge(refunding, succeeded(ID + "/step-6", Map.of()), T0);
            assertThat(refunded.messages()).singleElement().satisfies(release -> {
                assertThat(release.getMessageName()).isEqualTo("ReleaseStock");
                assertThat(release.getPayload()).containsEntry("order", "report-7");
            });
            Decision released =
                    machine.acknowledge(refunded.next().orElseThrow(), succeeded(ID + "/step-2", Map.of()), T0);
            assertThat(released.messages()).isEmpty();
            assertThat(Fixtures.statuses(released)).endsWith(31);
            assertThat(reason(released))
                    .startsWith("failed after compensating the steps that succeeded: step ship failed: NoCarrier");
            assertThat(released.next().orElseThrow().getErrorCode()).isEqualTo("NoCarrier");
            assertThat(shipFailed.transitions())
                    .extracting(InstanceTransition::getReason)
                    .anySatisfy(why -> assertThat(why).startsWith("compensating the steps that succeeded"));
        }

        @Test
        void shouldFailAtOnceWhenACompensationFailsAndCompensateNothingOfAStepThatFailed() {
            // given: reserve succeeded, charge failed: only the reservation is undone
            InstanceRecord reserved = ack(ack(started(saga), ID + "/started", Map.of()), ID + "/step-0", Map.of());
            Decision chargeFailed =
                    machine.acknowledge(reserved, failure(ID + "/step-4", "CardDeclined", "permanent"), T0);
            assertThat(chargeFailed.messages())
                    .extracting(WorkflowMessage::getMessageName)
                    .containsExactly("ReleaseStock");

            // when: releasing the stock fails too
            Decision releaseFailed = machine.acknowledge(
                    chargeFailed.next().orElseThrow(), failure(ID + "/step-2", "WarehouseDown", "permanent"), T0);

            // then
            assertThat(releaseFailed.messages()).isEmpty();
            assertThat(Fixtures.statuses(releaseFailed)).endsWith(31);
            assertThat(reason(releaseFailed))
                    .contains("WarehouseDown")
                    .contains("while compensating after: step charge failed: CardDeclined");
        }

        @Test
        void shouldUndoTheStepsThatSucceededWhenAnOperatorCancelsWithCompensationAndEndCanceled() {
            // given: reserve and charge succeeded; the instance waits for the shipment
            InstanceRecord shipping = shipping();

            // when
            OperatorOutcome cancel = cancelCompensating(shipping);

            // then: the charge is refunded, then the stock released, then it is canceled
            assertThat(cancel.accepted()).isTrue();
            assertThat(Fixtures.statuses(cancel.decision())).startsWith(22);
            assertThat(cancel.decision().messages())
                    .extracting(WorkflowMessage::getMessageName)
                    .containsExactly("RefundCard");
            Decision refunded = machine.acknowledge(
                    cancel.decision().next().orElseThrow(), succeeded(ID + "/step-6", Map.of()), T0);
            Decision released =
                    machine.acknowledge(refunded.next().orElseThrow(), succeeded(ID + "/step-2", Map.of()), T0);
            assertThat(Fixtures.statuses(released)).endsWith(32);
            assertThat(reason(released))
                    .startsWith("canceled after compensating the steps that succeeded: canceled by an operator");
        }

        @Test
        void shouldCancelAtOnceWithCompensationWhenNothingSucceededThatDeclaresOne() {
            InstanceRecord reserving = ack(started(saga), ID + "/started", Map.of());

            OperatorOutcome cancel = cancelCompensating(reserving);

            assertThat(cancel.decision().messages()).isEmpty();
            assertThat(Fixtures.statuses(cancel.decision())).containsExactly(22, 32);
        }

        /** Reserve and charge succeeded; the instance waits for the shipment. */
        private InstanceRecord shipping() {
            return ack(
                    ack(ack(started(saga), ID + "/started", Map.of()), ID + "/step-0", Map.of()),
                    ID + "/step-4",
                    Map.of());
        }

        private OperatorOutcome cancelCompensating(InstanceRecord instance) {
            return machine.operate(
                    instance,
                    OperatorCommand.newBuilder()
                            .setRequestId("r-1")
                            .setAction(OperatorAction.CANCEL)
                            .setCompensate(true)
                            .build(),
                    T0);
        }

        @Test
        void shouldKeepTheOriginalErrorThroughATransientCompensationFailureAndRefuseACompensatingCancel() {
            // given: shipping failed; the refund is under way
            InstanceRecord refunding = machine.acknowledge(
                            shipping(), failure(ID + "/step-8", "NoCarrier", "permanent"), T0)
                    .next()
                    .orElseThrow();

            // when: the refund fails for a moment
            InstanceRecord retrying = machine.acknowledge(
                            refunding, failure(ID + "/step-6", "Timeout", "transient"), T0)
                    .next()
                    .orElseThrow();

            // then: it retries with retries of its own, the instance keeps the error it will fail with,
            // and a cancel that asks to compensate again is refused
            assertThat(retrying.getWait().getKind()).isEqualTo(WaitKind.RETRY);
            assertThat(retrying.getRetryCount()).isEqualTo(1);
            assertThat(retrying.getErrorCode()).isEqualTo("NoCarrier");
            OperatorOutcome cancel = cancelCompensating(retrying);
            assertThat(cancel.accepted()).isFalse();
            assertThat(cancel.reason()).contains("compensating already");
        }

        @Test
        void shouldRunNoCompensationWhenTheInstanceSucceeds() {
            InstanceRecord shipping = shipping();

            Decision shipped = machine.acknowledge(shipping, succeeded(ID + "/step-8", Map.of()), T0);

            assertThat(shipped.messages()).isEmpty();
            assertThat(Fixtures.statuses(shipped)).endsWith(30);
        }
    }

    @Nested
    class Dialog {

        private final WorkflowDefinition dialog = steps("""
                {"name":"amount","kind":"prompt","text":"How much?","timeout":"PT10M",
                 "responses":{"properties":{"amount":{"type":"number"}},"required":["amount"]}},
                {"name":"big","kind":"condition","branches":[{"when":"steps.amount.amount > 100","steps":[
                  {"name":"why","kind":"prompt","text":"Why so much?","responses":{"properties":{"reason":{"type":"string"}}}}]}]},
                {"name":"file","kind":"send-message","messageName":"FileExpense",
                 "payload":{"amount":"=steps.amount.amount"}}""");

        @Test
        void shouldWaitAtEachPageForItsAnswerAndBranchOnIt() {
            // given: the session waits at its first page
            InstanceRecord atAmount = ack(started(dialog), ID + "/started", Map.of());
            assertThat(atAmount.getWait().getKind()).isEqualTo(WaitKind.EVENT);
            assertThat(atAmount.getWait().getMessageNames()).containsExactly("DialogResponse");

            // when: an answer for another page arrives, then the page's own
            Decision other = deliver(atAmount, atAmount.getWait().getWaitId(), answer("a-0", "why", Map.of()));
            Decision answered = deliver(
                    other.next().orElseThrow(),
                    atAmount.getWait().getWaitId(),
                    answer("a-1", "amount", Map.of("amount", 250L)));

            // then: the first waits on; the second moves to the page the answer leads to
            assertThat(other.transitions()).isEmpty();
            InstanceRecord atWhy = answered.next().orElseThrow();
            assertThat(atWhy.getVariables()).containsEntry("steps.amount.amount", 250L);
            assertThat(atWhy.getDefinition()
                            .getSteps()
                            .get(atWhy.getStepIndex())
                            .getName())
                    .isEqualTo("why");
        }

        @Test
        void shouldAbandonTheSessionWhenAPageIsNotAnsweredInTime() {
            InstanceRecord atAmount = ack(started(dialog), ID + "/started", Map.of());

            Decision late = machine.timerFired(atAmount, atAmount.getWait().getWaitId(), T0.plusSeconds(601));

            assertThat(Fixtures.statuses(late)).endsWith(32);
            assertThat(reason(late)).isEqualTo("abandoned: page amount was not answered in time");
        }

        private PlatformEvent answer(String eventId, String page, Map<String, Object> answers) {
            Map<String, Object> attributes = new java.util.HashMap<>(answers);
            attributes.put("page", page);
            return event(eventId, "dialog-session", "report-7", "DialogResponse", attributes);
        }
    }

    @Nested
    class CallWorkflow {

        private final WorkflowDefinition parent = steps("""
                {"name":"check","kind":"call-workflow","definition":"credit-check","inputs":{"amount":"=trigger.attributes.amount"}},
                {"name":"tell","kind":"send-message","messageName":"Checked","payload":{"score":"=steps.check.score"}}""");

        @Test
        void shouldStartTheChildWaitForItAndTakeItsVariablesAsOutput() {
            // given
            Decision calling = acknowledge(started(parent, 120), ID + "/started", Map.of());
            PlatformEvent start = calling.starts().get(0);
            String child = InstanceIds.instanceId(start.getEventId(), "credit-check");
            InstanceRecord waiting = calling.next().orElseThrow();
            assertThat(start.getStartsDefinition()).isEqualTo("credit-check");
            assertThat(start.getInputs()).containsEntry("amount", 120L);
            assertThat(waiting.getWait().getKind()).isEqualTo(WaitKind.CHILD);

            // when: another child's result, then its own
            Decision other =
                    machine.childCompleted(waiting, new ChildCompleted("someone-else", 30, null, Map.of()), T0);
            Decision done =
                    machine.childCompleted(waiting, new ChildCompleted(child, 30, "done", Map.of("score", 7L)), T0);

            // then
            assertThat(other.isIgnored()).isTrue();
            assertThat(done.messages())
                    .singleElement()
                    .satisfies(told -> assertThat(told.getPayload()).containsEntry("score", 7L));
        }

        @Test
        void shouldFailWhenTheChildFailsAndCancelTheChildWhenCanceled() {
            InstanceRecord waiting = acknowledge(started(parent, 120), ID + "/started", Map.of())
                    .next()
                    .orElseThrow();
            String child = waiting.getWait().getChildInstanceId();

            Decision failed = machine.childCompleted(waiting, new ChildCompleted(child, 31, "no score", Map.of()), T0);
            OperatorOutcome canceled = machine.operate(
                    waiting,
                    OperatorCommand.newBuilder()
                            .setRequestId("r-1")
                            .setAction(OperatorAction.CANCEL)
                            .build(),
                    T0);

            assertThat(Fixtures.statuses(failed)).endsWith(31);
            assertThat(reason(failed)).contains("child workflow " + child + " ended with status 31: no score");
            assertThat(canceled.decision().commands()).singleElement().satisfies(cancel -> {
                assertThat(cancel.getInstanceId()).isEqualTo(child);
                assertThat(((OperatorCommand) cancel.getCommand()).getAction()).isEqualTo(OperatorAction.CANCEL);
            });
        }

        @Test
        void shouldRefuseToResumeAParentThatWaitsForItsChild() {
            InstanceRecord waiting = acknowledge(started(parent, 120), ID + "/started", Map.of())
                    .next()
                    .orElseThrow();

            OperatorOutcome resume = machine.operate(
                    waiting,
                    OperatorCommand.newBuilder()
                            .setRequestId("r-1")
                            .setAction(OperatorAction.RESUME)
                            .build(),
                    T0);

            assertThat(resume.accepted()).isFalse();
            assertThat(resume.reason()).contains("waits for child workflow");
        }

        @Test
        void shouldTellItsParentHowAChildEndedWithItsVariables() {
            // given: a child a workflow started
            WorkflowDefinition childDefinition = steps("""
                    {"name":"score","kind":"set-variable","variable":"score","value":"7"}""");
            PlatformEvent start = PlatformEvent.newBuilder(
                            Fixtures.expenseSubmitted("workflow/parent-1/step-0", "report-7"))
                    .setSource("workflow")
                    .setCausation(new Causation("parent-1", 1, T0))
                    .setStartsDefinition("test")
                    .build();

            // when
            Decision done = acknowledge(start(childDefinition, start).next().orElseThrow(), ID + "/started", Map.of());

            // then
            assertThat(Fixtures.statuses(done)).endsWith(30);
            assertThat(done.commands()).singleElement().satisfies(told -> {
                assertThat(told.getInstanceId()).isEqualTo("parent-1");
                ChildCompleted result = (ChildCompleted) told.getCommand();
                assertThat(result.getStatusCode()).isEqualTo(30);
                assertThat(result.getOutput()).containsEntry("score", 7L);
            });
        }
    }

    @Nested
    class FailuresAndLoops {

        private final WorkflowDefinition definition =
                steps("{\"name\":\"post\",\"kind\":\"send-message\",\"messageName\":\"PostInvoice\"}");

        @Test
        void shouldPostponeATransientFailureAndRetryWithANewMessageId() {
            InstanceRecord waiting = ack(started(definition), ID + "/started", Map.of());

            Decision failed = machine.acknowledge(waiting, failure(ID + "/step-0", "ServerBusy", "busy"), T0);
            InstanceRecord postponed = failed.next().orElseThrow();
            Decision retried = machine.timerFired(postponed, postponed.getWait().getWaitId(), T0.plusSeconds(2));

            assertThat(Fixtures.statuses(failed)).containsExactly(20, 0);
            assertThat(postponed.getState()).isEqualTo(InstanceState.READY);
            assertThat(postponed.getRetryCount()).isEqualTo(1);
            assertThat(postponed.getErrorCode()).isEqualTo("ServerBusy");
            assertThat(failed.transitions().get(1).getRetryCount()).isEqualTo(1);
            assertThat(failed.transitions().get(1).getErrorMessage()).isEqualTo("ServerBusy happened");
            assertThat(failed.timers()).extracting(Decision.TimerChange::set).containsExactly(true);
            assertThat(Fixtures.statuses(retried)).containsExactly(20, 10);
            assertThat(retried.messages().get(0).getMessageId()).isEqualTo(ID + "/step-0/attempt-1");
        }

        @Test
        void shouldResetTheRetriesOnceTheStepSucceeds() {
            InstanceRecord waiting = ack(started(definition), ID + "/started", Map.of());
            InstanceRecord postponed = machine.acknowledge(waiting, failure(ID + "/step-0", "Busy", "busy"), T0)
                    .next()
                    .orElseThrow();
            InstanceRecord retrying = machine.timerFired(
                            postponed, postponed.getWait().getWaitId(), T0.plusSeconds(2))
                    .next()
                    .orElseThrow();

            Decision done = acknowledge(retrying, ID + "/step-0/attempt-1", Map.of());

            assertThat(Fixtures.statuses(done)).containsExactly(20, 30);
            assertThat(done.next().orElseThrow().getRetryCount()).isZero();
            assertThat(done.next().orElseThrow().getErrorCode()).isNull();
        }

        @Test
        void shouldSuspendOnAuthorizationErrorsAndWhenRetriesRunOut() {
            InstanceRecord waiting = ack(started(definition), ID + "/started", Map.of());
            InstanceRecord exhausted =
                    InstanceRecord.newBuilder(waiting).setRetryCount(10).build();

            Decision denied = machine.acknowledge(waiting, failure(ID + "/step-0", "Denied", "authorization"), T0);
            Decision tooMany = machine.acknowledge(exhausted, failure(ID + "/step-0", "Busy", "busy"), T0);

            assertThat(Fixtures.statuses(denied)).containsExactly(20, 10);
            assertThat(reason(denied)).startsWith("suspended: step post failed: Denied");
            assertThat(denied.next().orElseThrow().getWait()).isNull();
            assertThat(reason(tooMany)).contains("(10 retries used)");
        }

        @Test
        void shouldFailWhenARuleSaysFail() {
            InstanceMachine strict = Fixtures.machine(new FailurePolicy(
                    FailurePolicy.parse("InvalidInvoice=fail,*=suspend"),
                    Duration.ofSeconds(1),
                    Duration.ofMinutes(1),
                    3));
            InstanceRecord waiting = strict.acknowledge(started(definition), succeeded(ID + "/started", Map.of()), T0)
                    .next()
                    .orElseThrow();

            Decision decision = strict.acknowledge(waiting, failure(ID + "/step-0", "InvalidInvoice", null), T0);

            assertThat(Fixtures.statuses(decision)).containsExactly(20, 31);
        }

        @Test
        void shouldFailAJobTheLoopGuardStoppedWithoutDoingAnyWork() {
            StartInstance start = Fixtures.startOf(definition, Fixtures.expenseSubmitted("event-1", "report-7"))
                    .setLoopError("infinite loop: causation depth 9")
                    .build();

            Decision decision = machine.start(ID, start, T0);

            assertThat(Fixtures.statuses(decision)).containsExactly(0, 20, 31);
            assertThat(decision.messages()).isEmpty();
            assertThat(decision.transitions().get(2).getErrorCode()).isEqualTo(LoopGuard.ERROR_CODE);
        }
    }

    // --- helpers ---

    private static WorkflowDefinition steps(String steps) {
        return Fixtures.definitionOf(steps);
    }

    private Decision start(WorkflowDefinition definition) {
        return start(definition, Fixtures.expenseSubmitted("event-1", "report-7"));
    }

    private Decision start(WorkflowDefinition definition, PlatformEvent trigger) {
        return machine.start(ID, Fixtures.startOf(definition, trigger).build(), T0);
    }

    private InstanceRecord started(WorkflowDefinition definition) {
        return start(definition).next().orElseThrow();
    }

    private InstanceRecord started(WorkflowDefinition definition, long amount) {
        PlatformEvent event = PlatformEvent.newBuilder(Fixtures.expenseSubmitted("event-1", "report-7"))
                .setAttributes(Map.of("amount", amount))
                .build();
        return start(definition, event).next().orElseThrow();
    }

    private Decision acknowledge(InstanceRecord instance, String messageId, Map<String, Object> output) {
        return machine.acknowledge(instance, succeeded(messageId, output), T0);
    }

    private InstanceRecord ack(InstanceRecord instance, String messageId, Map<String, Object> output) {
        Decision decision = acknowledge(instance, messageId, output);
        assertThat(decision.isIgnored())
                .as("acknowledgement of %s applied", messageId)
                .isFalse();
        return decision.next().orElseThrow();
    }

    private Decision deliver(InstanceRecord instance, String waitId, PlatformEvent event) {
        return machine.deliver(instance, new DeliverEvent(waitId, event), T0.plusSeconds(1));
    }

    private static PlatformEvent event(
            String eventId, String entityType, String entityId, String name, Map<String, Object> attributes) {
        return PlatformEvent.newBuilder()
                .setEventId(eventId)
                .setSource("app")
                .setEntityType(entityType)
                .setEntityId(entityId)
                .setMessageName(name)
                .setAttributes(attributes)
                .setOccurredAt(T0)
                .build();
    }

    private static Acknowledgement failure(String messageId, String code, String category) {
        return Acknowledgement.newBuilder()
                .setMessageId(messageId)
                .setReplyToken(Fixtures.TOKEN)
                .setInstanceId(ID)
                .setOutcome(Outcome.FAILED)
                .setError(AckError.newBuilder()
                        .setCode(code)
                        .setMessage(code + " happened")
                        .setCategory(category)
                        .build())
                .build();
    }

    private static Acknowledgement succeeded(String messageId, Map<String, Object> output) {
        return Acknowledgement.newBuilder()
                .setMessageId(messageId)
                .setReplyToken(Fixtures.TOKEN)
                .setInstanceId(ID)
                .setOutcome(Outcome.SUCCEEDED)
                .setOutput(output)
                .build();
    }

    private static String reason(Decision decision) {
        return decision.transitions().get(decision.transitions().size() - 1).getReason();
    }
}
