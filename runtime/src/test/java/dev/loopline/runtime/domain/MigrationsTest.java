package dev.loopline.runtime.domain;

import static dev.loopline.runtime.domain.Fixtures.T0;
import static org.assertj.core.api.Assertions.assertThat;

import dev.loopline.api.internal.CloseWait;
import dev.loopline.api.internal.DeliverEvent;
import dev.loopline.api.internal.InstanceRecord;
import dev.loopline.api.internal.Migration;
import dev.loopline.api.internal.OpenWait;
import dev.loopline.api.internal.OperatorAction;
import dev.loopline.api.internal.OperatorCommand;
import dev.loopline.api.v1.InstanceTransition;
import dev.loopline.api.v1.Outcome;
import dev.loopline.api.v1.PlatformEvent;
import dev.loopline.api.v1.WorkflowDefinition;
import dev.loopline.definition.MigrationPlan;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Migrating one instance to another version of its definition, in the state machine. */
class MigrationsTest {

    private static final String ID = "instance-1";
    private final InstanceMachine machine = Fixtures.machine();

    /** v1: wait for Paid (1 h), then Thank. */
    private final WorkflowDefinition v1 = Fixtures.definitionOf("""
            {"name":"paid","kind":"wait-for-event","timeout":"PT1H",
             "event":{"entityType":"expense_report","messageName":"Paid","key":"trigger.entityId"}},
            {"name":"thank","kind":"send-message","messageName":"Thank"}""");

    /** v2: a note first, the wait renamed, and a step inserted after it. */
    private final WorkflowDefinition v2 = version(2, Fixtures.definitionOf("""
            {"name":"note","kind":"log","entry":"'v2'"},
            {"name":"payment","kind":"wait-for-event","timeout":"PT2H",
             "event":{"entityType":"expense_report","messageName":"Paid","key":"trigger.entityId"}},
            {"name":"check","kind":"send-message","messageName":"Check","payload":{"level":"=vars.level"}},
            {"name":"thank","kind":"send-message","messageName":"Thank"}"""));

    @Test
    void shouldMoveAWaitingInstanceToTheMappedStepKeepingItsWaitAndTimer() {
        InstanceRecord waiting = waitingForPaid();
        String waitId = waiting.getWait().getWaitId();

        OperatorOutcome migrated =
                machine.operate(waiting, migrate(Map.of("paid", "payment"), Map.of("level", "2")), T0);

        assertThat(migrated.accepted()).as(migrated.reason()).isTrue();
        InstanceRecord moved = migrated.decision().next().orElseThrow();
        assertThat(moved.getDefinition().getVersion()).isEqualTo(2);
        assertThat(moved.getStepIndex()).isEqualTo(1);
        assertThat(moved.getWait().getWaitId()).isEqualTo(waitId);
        assertThat(moved.getVariables()).containsEntry("vars.level", 2L);
        InstanceTransition transition = Fixtures.last(migrated.decision());
        assertThat(transition.getDefinitionVersion()).isEqualTo(2);
        assertThat(transition.getStatusCode()).isEqualTo(10);
        assertThat(transition.getReason())
                .isEqualTo("migrated from version 1 to 2 by migration m-1: step paid → payment");
        assertThat(transition.getWaitingFor()).containsExactly("event:Paid");
        // the same wait, the same timer: removed and put back, so nothing changes
        assertThat(migrated.decision().timers())
                .extracting(Decision.TimerChange::set)
                .containsExactly(false, true);
        assertThat(migrated.decision().correlations()).isEmpty();

        // and the event continues it on version 2's steps
        Decision paid = machine.deliver(moved, new DeliverEvent(waitId, event()), T0.plusSeconds(5));
        assertThat(paid.messages()).singleElement().satisfies(check -> {
            assertThat(check.getMessageName()).isEqualTo("Check");
            // new ids from now on: the old program may have used step-2 for a message of its own
            assertThat(check.getMessageId()).isEqualTo(ID + "/step-2.m1");
            assertThat(check.getDefinitionVersion()).isEqualTo(2);
            assertThat(check.getPayload()).containsEntry("level", 2L);
        });
    }

    @Test
    void shouldReRegisterAnEventWaitWhoseKeyTheNewStepComputesDifferently() {
        WorkflowDefinition v3 = version(3, Fixtures.definitionOf("""
                {"name":"paid","kind":"wait-for-event",
                 "event":{"entityType":"expense_report","messageName":"Paid","key":"'all'"}}"""));
        InstanceRecord waiting = waitingForPaid();

        OperatorOutcome migrated = machine.operate(waiting, migrate(v3, Map.of("paid", "paid"), Map.of()), T0);

        assertThat(migrated.decision().correlations()).hasSize(2);
        assertThat(migrated.decision().correlations().get(0).getCommand()).isInstanceOf(CloseWait.class);
        assertThat(migrated.decision().correlations().get(1).getCommand()).isInstanceOf(OpenWait.class);
        assertThat(migrated.decision().correlations().get(1).getCorrelationKey())
                .isEqualTo(CorrelationKeys.of("expense_report", "entityId", "all"));
    }

    @Test
    void shouldLeaveAloneAnInstanceThePlanDoesNotFit() {
        InstanceRecord waiting = waitingForPaid();
        InstanceRecord thanking = machine.deliver(
                        waiting, new DeliverEvent(waiting.getWait().getWaitId(), event()), T0)
                .next()
                .orElseThrow();

        OperatorOutcome unmapped = machine.operate(thanking, migrate(Map.of("paid", "payment"), Map.of()), T0);
        OperatorOutcome otherVersion = machine.operate(
                waiting,
                OperatorCommand.newBuilder(migrate(Map.of("paid", "payment"), Map.of()))
                        .setMigration(Migration.newBuilder(migrate(Map.of("paid", "payment"), Map.of())
                                        .getMigration())
                                .setSourceVersion(7)
                                .build())
                        .build(),
                T0);

        assertThat(unmapped.accepted()).isFalse();
        assertThat(unmapped.reason()).contains("it waits at step thank, which the plan does not map");
        assertThat(otherVersion.reason()).contains("it runs version 1, not 7");
    }

    @Test
    void shouldMoveAnInstanceSuspendedByAFailureSoThatAResumeRunsTheNewStep() {
        WorkflowDefinition failing = Fixtures.definitionOf("""
                {"name":"send","kind":"send-message","messageName":"Old"}""");
        WorkflowDefinition fixed = version(2, Fixtures.definitionOf("""
                {"name":"send","kind":"send-message","messageName":"New"}"""));
        InstanceRecord posted = pastStarted(failing);
        InstanceRecord suspended = machine.acknowledge(
                        posted, Fixtures.acknowledgement(ID, ID + "/step-0", Outcome.FAILED), T0)
                .next()
                .orElseThrow();

        OperatorOutcome migrated = machine.operate(suspended, migrate(fixed, Map.of("send", "send"), Map.of()), T0);
        OperatorOutcome resumed = machine.operate(
                migrated.decision().next().orElseThrow(),
                OperatorCommand.newBuilder()
                        .setRequestId("r-2")
                        .setAction(OperatorAction.RESUME)
                        .build(),
                T0);

        assertThat(suspended.getWait()).isNull();
        assertThat(migrated.accepted()).as(migrated.reason()).isTrue();
        assertThat(resumed.decision().messages()).singleElement().satisfies(message -> {
            assertThat(message.getMessageName()).isEqualTo("New");
            assertThat(message.getMessageId()).isEqualTo(ID + "/step-0.m1/attempt-1");
        });
    }

    @Test
    void shouldNotMapToAStepInsideABranchOrACompensation() {
        WorkflowDefinition branched = version(2, Fixtures.definitionOf("""
                {"name":"fan","kind":"parallel","branches":[
                  {"name":"a","steps":[{"name":"inside","kind":"wait-for-event",
                    "event":{"entityType":"expense_report","messageName":"Paid","key":"trigger.entityId"}}]},
                  {"name":"b","steps":[{"name":"other","kind":"log","entry":"'b'"}]}]},
                {"name":"pay","kind":"send-message","messageName":"Pay","compensation":{"messageName":"Refund"}}"""));

        assertThat(MigrationPlan.check(v1, branched, Map.of("paid", "inside", "thank", "pay_compensation"), Map.of()))
                .extracting(error -> error.field())
                .containsExactlyInAnyOrder("steps.paid", "steps.thank");
    }

    @Test
    void shouldRefuseAPlanThatMapsAWaitToAnIncompatibleStepWithFieldErrors() {
        assertThat(MigrationPlan.check(v1, v2, Map.of("paid", "check", "thank", "nope"), Map.of("x", "1 +")))
                .extracting(error -> error.field() + ": " + error.message())
                .containsExactlyInAnyOrder(
                        "steps.paid: a wait-for-event step cannot become a send-message step",
                        "steps.thank: version 2 has no step nope an instance can be migrated to (one of "
                                + MigrationPlan.MIGRATABLE + ")",
                        "variables.x: "
                                + MigrationPlan.check(v1, v2, Map.of("paid", "payment"), Map.of("x", "1 +"))
                                        .get(0)
                                        .message());
        assertThat(MigrationPlan.check(v1, v2, Map.of("paid", "payment"), Map.of()))
                .isEmpty();
    }

    private InstanceRecord waitingForPaid() {
        InstanceRecord waiting = pastStarted(v1);
        assertThat(waiting.getWait().getDueAt()).isEqualTo(T0.plus(Duration.ofHours(1)));
        return waiting;
    }

    /** A new instance of the definition, its "workflow started" acknowledged: at its first step. */
    private InstanceRecord pastStarted(WorkflowDefinition definition) {
        InstanceRecord started = machine.start(
                        ID,
                        Fixtures.startOf(definition, Fixtures.expenseSubmitted("event-1", "report-7"))
                                .build(),
                        T0)
                .next()
                .orElseThrow();
        return machine.acknowledge(started, Fixtures.acknowledgement(ID, ID + "/started", Outcome.SUCCEEDED), T0)
                .next()
                .orElseThrow();
    }

    private OperatorCommand migrate(Map<String, String> steps, Map<String, String> variables) {
        return migrate(v2, steps, variables);
    }

    private static OperatorCommand migrate(
            WorkflowDefinition target, Map<String, String> steps, Map<String, String> variables) {
        return OperatorCommand.newBuilder()
                .setRequestId("r-1")
                .setAction(OperatorAction.MIGRATE)
                .setMigration(Migration.newBuilder()
                        .setMigrationId("m-1")
                        .setSourceVersion(1)
                        .setTarget(target)
                        .setSteps(steps)
                        .setVariables(variables)
                        .build())
                .build();
    }

    private static WorkflowDefinition version(int version, WorkflowDefinition definition) {
        return WorkflowDefinition.newBuilder(definition).setVersion(version).build();
    }

    private static PlatformEvent event() {
        return PlatformEvent.newBuilder()
                .setEventId("paid-1")
                .setSource("app")
                .setEntityType("expense_report")
                .setEntityId("report-7")
                .setMessageName("Paid")
                .setOccurredAt(T0)
                .build();
    }
}
