package dev.loopline.runtime.domain;

import static dev.loopline.runtime.domain.Fixtures.T0;
import static org.assertj.core.api.Assertions.assertThat;

import dev.loopline.api.internal.GrantToken;
import dev.loopline.api.internal.InstanceRecord;
import dev.loopline.api.internal.OperatorAction;
import dev.loopline.api.internal.OperatorCommand;
import dev.loopline.api.internal.ReleaseToken;
import dev.loopline.api.internal.WaitKind;
import dev.loopline.api.v1.DefinitionStatus;
import dev.loopline.api.v1.InstanceState;
import dev.loopline.api.v1.InstanceTransition;
import dev.loopline.api.v1.Outcome;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Jobs that share a dependency token: queued in Ready, started when granted, the token given back on completion. */
class DependencyOrderingTest {

    private static final String ID = "job-2";
    private static final String TOKEN = "expense_report\u001freport-7";
    private final InstanceMachine machine = Fixtures.machine();

    @Test
    void shouldWaitInReadyWithoutPostingAnythingUntilGranted() {
        Decision queued = start(false);

        InstanceRecord waiting = queued.next().orElseThrow();
        assertThat(queued.transitions())
                .extracting(InstanceTransition::getStatusCode)
                .containsExactly(0, 0);
        assertThat(queued.messages()).isEmpty();
        assertThat(waiting.getState()).isEqualTo(InstanceState.READY);
        assertThat(waiting.getWait().getKind()).isEqualTo(WaitKind.TOKEN);
    }

    @Test
    void shouldStartWhenGrantedAndGiveTheTokenBackWhenItCompletes() {
        InstanceRecord waiting = start(false).next().orElseThrow();

        Decision granted = machine.grant(waiting, new GrantToken(TOKEN), T0.plusSeconds(5));
        InstanceRecord running = granted.next().orElseThrow();
        InstanceRecord afterStarted =
                acknowledge(running, ID + "/started").next().orElseThrow();
        Decision done = acknowledge(afterStarted, ID + "/step-0");

        assertThat(granted.transitions())
                .extracting(InstanceTransition::getStatusCode)
                .containsExactly(20, 10);
        assertThat(granted.messages())
                .singleElement()
                .satisfies(m -> assertThat(m.getMessageName()).isEqualTo("WorkflowStarted"));
        assertThat(granted.releases()).isEmpty();
        assertThat(done.releases()).containsExactly(new ReleaseToken(TOKEN, ID));
        assertThat(machine.grant(running, new GrantToken(TOKEN), T0).isIgnored())
                .isTrue();
    }

    @Test
    void shouldGiveTheTokenBackWhenAQueuedJobIsCanceledAndRefuseToPostponeIt() {
        InstanceRecord waiting = start(false).next().orElseThrow();

        OperatorOutcome canceled = machine.operate(waiting, command(OperatorAction.CANCEL), T0);
        OperatorOutcome postponed = machine.operate(waiting, command(OperatorAction.POSTPONE), T0);

        assertThat(canceled.decision().releases()).containsExactly(new ReleaseToken(TOKEN, ID));
        assertThat(postponed.accepted()).isFalse();
        assertThat(postponed.reason()).contains("queued behind an earlier job");
    }

    @Test
    void shouldPostponeAQueuedJobOfAFailingDefinitionWhenItIsGrantedBeforeItsStartTime() {
        Instant until = T0.plusSeconds(60);
        Decision queued = start(false, until);
        InstanceRecord waiting = queued.next().orElseThrow();

        Decision granted = machine.grant(waiting, new GrantToken(TOKEN), T0.plusSeconds(5));
        InstanceRecord postponed = granted.next().orElseThrow();
        Decision started = machine.timerFired(postponed, postponed.getWait().getWaitId(), until);

        assertThat(queued.timers()).isEmpty();
        assertThat(queued.transitions())
                .last()
                .satisfies(t ->
                        assertThat(t.getReason()).contains("queued behind an earlier job", "postponed until " + until));
        assertThat(granted.messages()).isEmpty();
        assertThat(postponed.getState()).isEqualTo(InstanceState.READY);
        assertThat(postponed.getWait().getKind()).isEqualTo(WaitKind.POSTPONED);
        assertThat(granted.timers())
                .containsExactly(
                        new Decision.TimerChange(until, ID, postponed.getWait().getWaitId(), true));
        assertThat(started.transitions())
                .extracting(InstanceTransition::getStatusCode)
                .containsExactly(20, 10);
        assertThat(started.messages())
                .singleElement()
                .satisfies(m -> assertThat(m.getMessageName()).isEqualTo("WorkflowStarted"));
    }

    @Test
    void shouldStartAQueuedJobOfAFailingDefinitionAtOnceWhenItsStartTimeHasPassed() {
        InstanceRecord waiting = start(false, T0.plusSeconds(60)).next().orElseThrow();

        Decision granted = machine.grant(waiting, new GrantToken(TOKEN), T0.plusSeconds(61));

        assertThat(granted.transitions())
                .extracting(InstanceTransition::getStatusCode)
                .containsExactly(20, 10);
        assertThat(granted.timers()).isEmpty();
    }

    private Decision start(boolean granted) {
        return start(granted, null);
    }

    private Decision start(boolean granted, Instant postponeUntil) {
        var definition = Fixtures.expenseApproval(DefinitionStatus.ACTIVE);
        return machine.start(
                ID,
                Fixtures.startOf(definition, Fixtures.expenseSubmitted("e-2", "report-7"))
                        .setDependencyToken(TOKEN)
                        .setGranted(granted)
                        .setPostponeUntil(postponeUntil)
                        .setPostponeReason(
                                postponeUntil == null ? null : "expense-approval's last 3 job(s) failed in a row")
                        .build(),
                T0);
    }

    private Decision acknowledge(InstanceRecord instance, String messageId) {
        return machine.acknowledge(
                instance, Fixtures.acknowledgement(ID, messageId, Outcome.SUCCEEDED), T0.plusSeconds(10));
    }

    private static OperatorCommand command(OperatorAction action) {
        return OperatorCommand.newBuilder()
                .setRequestId("r")
                .setAction(action)
                .setPostponeUntil(T0.plusSeconds(3600))
                .build();
    }
}
