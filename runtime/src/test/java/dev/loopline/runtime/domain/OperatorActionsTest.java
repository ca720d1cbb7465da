package dev.loopline.runtime.domain;

import static dev.loopline.runtime.domain.Fixtures.T0;
import static org.assertj.core.api.Assertions.assertThat;

import dev.loopline.api.internal.CloseWait;
import dev.loopline.api.internal.InstanceRecord;
import dev.loopline.api.internal.OperatorAction;
import dev.loopline.api.internal.OperatorCommand;
import dev.loopline.api.internal.WaitKind;
import dev.loopline.api.v1.Acknowledgement;
import dev.loopline.api.v1.DefinitionStatus;
import dev.loopline.api.v1.InstanceState;
import dev.loopline.api.v1.InstanceTransition;
import dev.loopline.api.v1.Outcome;
import dev.loopline.api.v1.WorkflowDefinition;
import dev.loopline.definition.DefinitionCompiler;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every operator action against every state and status: Dynamics' validity rules, exactly. */
class OperatorActionsTest {

    private static final String ID = "instance-1";
    private static final Instant LATER = T0.plus(Duration.ofHours(2));
    private final InstanceMachine machine = Fixtures.machine();

    static Stream<Arguments> everyActionAndStatus() {
        List<Arguments> cases = new ArrayList<>();
        for (OperatorAction action : OperatorAction.values()) {
            if (action == OperatorAction.MIGRATE) {
                continue; // it needs a plan: MigrationsTest
            }
            for (Status status : Status.values()) {
                cases.add(Arguments.of(action, status, allowed(action, status.state())));
            }
        }
        return cases.stream();
    }

    /** The documented rules. */
    private static boolean allowed(OperatorAction action, InstanceState state) {
        return switch (action) {
            case CANCEL -> state != InstanceState.COMPLETED;
            case PAUSE -> state == InstanceState.LOCKED;
            case RESUME -> state == InstanceState.SUSPENDED;
            case POSTPONE -> state == InstanceState.READY || state == InstanceState.LOCKED;
            case DELETE -> state == InstanceState.COMPLETED;
            case MIGRATE -> throw new IllegalArgumentException("not listed");
        };
    }

    @ParameterizedTest(name = "{0} on {1}: allowed = {2}")
    @MethodSource("everyActionAndStatus")
    void shouldAllowOnlyTheDocumentedStatesAndMoveToTheDocumentedOne(
            OperatorAction action, Status status, boolean allowed) {
        InstanceRecord instance = in(status);

        OperatorOutcome outcome = machine.operate(instance, command(action), T0);

        assertThat(outcome.accepted()).isEqualTo(allowed);
        if (!allowed) {
            assertThat(outcome.reason()).startsWith("cannot " + action.name().toLowerCase(java.util.Locale.ROOT));
            assertThat(outcome.decision().next()).isEmpty();
            return;
        }
        if (action == OperatorAction.DELETE) {
            assertThat(outcome.decision().delete()).isTrue();
            assertThat(outcome.decision().transitions()).isEmpty();
            return;
        }
        InstanceRecord after = outcome.decision().next().orElseThrow();
        List<Integer> codes = outcome.decision().transitions().stream()
                .map(InstanceTransition::getStatusCode)
                .toList();
        switch (action) {
            case CANCEL -> {
                assertThat(codes).containsExactly(22, 32);
                assertThat(after.getState()).isEqualTo(InstanceState.COMPLETED);
                assertThat(after.getWait().getKind())
                        .as("kept until its retention ends")
                        .isEqualTo(WaitKind.RETENTION);
            }
            case PAUSE -> {
                assertThat(codes).containsExactly(21, 10);
                assertThat(after.getState()).isEqualTo(InstanceState.SUSPENDED);
            }
            case RESUME -> {
                assertThat(codes).startsWith(0, 20).endsWith(10);
                assertThat(outcome.decision().messages())
                        .singleElement()
                        .satisfies(m -> assertThat(m.getMessageId()).isEqualTo(ID + "/step-0/attempt-1"));
            }
            case DELETE -> throw new IllegalStateException("handled above");
            case POSTPONE -> {
                assertThat(codes).containsExactly(0);
                assertThat(after.getWait().getKind()).isEqualTo(WaitKind.RETRY);
                assertThat(after.getWait().getDueAt()).isEqualTo(LATER);
            }
        }
    }

    @Test
    void shouldRemoveTheWaitTimerAndCorrelationEntryOfACanceledInstance() {
        WorkflowDefinition waitsForPayment = compile("""
                {"name":"payment","kind":"wait-for-event","timeout":"PT1H",
                 "event":{"entityType":"payment","messageName":"Received","key":"trigger.entityId"}}""");
        InstanceRecord waiting = acknowledgeStarted(waitsForPayment);

        Decision canceled =
                machine.operate(waiting, command(OperatorAction.CANCEL), T0).decision();

        assertThat(canceled.correlations())
                .singleElement()
                .satisfies(c -> assertThat(c.getCommand()).isInstanceOf(CloseWait.class));
        assertThat(canceled.timers())
                .as("the wait's timer is cancelled; the retention timer set")
                .extracting(Decision.TimerChange::set)
                .containsExactly(false, true);
        assertThat(canceled.transitions().get(1).getReason()).isEqualTo("canceled by an operator (test)");
    }

    @Test
    void shouldRefuseAPostponeIntoThePast() {
        InstanceRecord ready = in(Status.WAITING_FOR_RESOURCES);
        OperatorCommand past = OperatorCommand.newBuilder(command(OperatorAction.POSTPONE))
                .setPostponeUntil(T0.minusSeconds(1))
                .build();

        assertThat(machine.operate(ready, past, T0).reason()).startsWith("postpone needs a postponeUntil after");
    }

    /** An instance waiting for the acknowledgement of step 0, then forced into the given status. */
    private InstanceRecord in(Status status) {
        InstanceRecord waiting = acknowledgeStarted(
                compile("{\"name\":\"approval\",\"kind\":\"send-message\",\"messageName\":\"Approve\"}"));
        return InstanceRecord.newBuilder(waiting)
                .setState(status.state())
                .setStatusCode(status.code())
                .build();
    }

    private InstanceRecord acknowledgeStarted(WorkflowDefinition definition) {
        InstanceRecord started = machine.start(
                        ID,
                        Fixtures.startOf(definition, Fixtures.expenseSubmitted("e-1", "r-1"))
                                .build(),
                        T0)
                .next()
                .orElseThrow();
        Acknowledgement ack = Acknowledgement.newBuilder()
                .setMessageId(ID + "/started")
                .setReplyToken(Fixtures.TOKEN)
                .setInstanceId(ID)
                .setOutcome(Outcome.SUCCEEDED)
                .setOutput(Map.of())
                .build();
        return machine.acknowledge(started, ack, T0).next().orElseThrow();
    }

    private static WorkflowDefinition compile(String steps) {
        String document = """
                {"id":"ops","name":"ops","trigger":{"entityType":"expense_report","messageName":"Submitted"},"steps":[%s]}""".formatted(steps);
        return WorkflowDefinition.newBuilder(new DefinitionCompiler().compile(document, T0))
                .setStatus(DefinitionStatus.ACTIVE)
                .setVersion(1)
                .build();
    }

    private static OperatorCommand command(OperatorAction action) {
        return OperatorCommand.newBuilder()
                .setRequestId("r-1")
                .setAction(action)
                .setPostponeUntil(action == OperatorAction.POSTPONE ? LATER : null)
                .setNote("test")
                .build();
    }
}
