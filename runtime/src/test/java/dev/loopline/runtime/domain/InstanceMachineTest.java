package dev.loopline.runtime.domain;

import static dev.loopline.runtime.domain.Fixtures.T0;
import static org.assertj.core.api.Assertions.assertThat;

import dev.loopline.api.internal.InstanceRecord;
import dev.loopline.api.internal.StartInstance;
import dev.loopline.api.v1.AckError;
import dev.loopline.api.v1.Acknowledgement;
import dev.loopline.api.v1.DefinitionStatus;
import dev.loopline.api.v1.InstanceState;
import dev.loopline.api.v1.InstanceTransition;
import dev.loopline.api.v1.MessageKind;
import dev.loopline.api.v1.Outcome;
import dev.loopline.api.v1.WorkflowMessage;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class InstanceMachineTest {

    private static final String ID = "instance-1";
    private final InstanceMachine machine = new InstanceMachine();

    @Test
    void shouldGoReadyThenLockedThenSuspendedWaitingForTheStartedAcknowledgement() {
        // when
        Decision decision = start();

        // then
        assertThat(statuses(decision.transitions())).containsExactly(0, 20, 10);
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
        assertThat(instance.getStatusCode()).isEqualTo(10);
        assertThat(instance.getAwaitingMessageId()).isEqualTo(ID + "/started");
        assertThat(instance.getTransitionCount()).isEqualTo(3);
    }

    @Test
    void shouldRunTheStepAfterTheStartedAcknowledgementAndWaitAgain() {
        // given
        InstanceRecord waiting = start().next().orElseThrow();

        // when
        Decision decision = machine.acknowledge(waiting, succeeded(ID + "/started", Map.of()), T0.plusSeconds(1));

        // then
        assertThat(statuses(decision.transitions())).containsExactly(20, 10);
        assertThat(decision.transitions())
                .extracting(InstanceTransition::getSequence)
                .containsExactly(4, 5);
        WorkflowMessage request = decision.messages().get(0);
        assertThat(request.getMessageId()).isEqualTo(ID + "/step-0");
        assertThat(request.getKind()).isEqualTo(MessageKind.STEP_REQUEST);
        assertThat(request.getMessageName()).isEqualTo("RequestApproval");
        assertThat(request.getPayload()).containsEntry("approver", "manager");
        assertThat(decision.next().orElseThrow().getStepIndex()).isZero();
    }

    @Test
    void shouldSucceedWhenTheLastStepIsAcknowledgedAndKeepItsOutput() {
        // given
        InstanceRecord afterStarted = acknowledge(start().next().orElseThrow(), ID + "/started");

        // when
        Decision decision = machine.acknowledge(
                afterStarted, succeeded(ID + "/step-0", Map.of("approved", true)), T0.plusSeconds(2));

        // then
        assertThat(statuses(decision.transitions())).containsExactly(20, 30);
        assertThat(decision.messages()).isEmpty();
        InstanceRecord done = decision.next().orElseThrow();
        assertThat(done.getState()).isEqualTo(InstanceState.COMPLETED);
        assertThat(done.getAwaitingMessageId()).isNull();
        assertThat(done.getVariables()).containsEntry("approval.approved", true);
        assertThat(decision.transitions().get(1).getTimestamp()).isEqualTo(T0.plusSeconds(2));
    }

    @Test
    void shouldFailWithTheApplicationsErrorWhenAnAcknowledgementFails() {
        // given
        InstanceRecord afterStarted = acknowledge(start().next().orElseThrow(), ID + "/started");
        Acknowledgement failed = Acknowledgement.newBuilder()
                .setMessageId(ID + "/step-0")
                .setInstanceId(ID)
                .setOutcome(Outcome.FAILED)
                .setError(AckError.newBuilder()
                        .setCode("NoApprover")
                        .setMessage("no manager")
                        .build())
                .build();

        // when
        Decision decision = machine.acknowledge(afterStarted, failed, T0.plusSeconds(2));

        // then
        assertThat(statuses(decision.transitions())).containsExactly(20, 31);
        assertThat(decision.transitions().get(1).getReason()).isEqualTo("step approval failed: NoApprover: no manager");
        assertThat(decision.messages()).isEmpty();
    }

    @Test
    void shouldIgnoreARepeatedAcknowledgement() {
        // given
        InstanceRecord waiting = start().next().orElseThrow();
        InstanceRecord afterStarted = acknowledge(waiting, ID + "/started");

        // when
        Decision again = machine.acknowledge(afterStarted, succeeded(ID + "/started", Map.of()), T0.plusSeconds(3));

        // then
        assertThat(again.isIgnored()).isTrue();
        assertThat(again.next()).isEmpty();
        assertThat(again.messages()).isEmpty();
        assertThat(again.transitions()).isEmpty();
    }

    @Test
    void shouldIgnoreAnythingAfterCompletion() {
        InstanceRecord afterStarted = acknowledge(start().next().orElseThrow(), ID + "/started");
        InstanceRecord done = acknowledge(afterStarted, ID + "/step-0");

        Decision late = machine.acknowledge(done, succeeded(ID + "/step-0", Map.of()), T0.plusSeconds(9));

        assertThat(late.ignoredBecause()).contains("instance already completed");
    }

    @Test
    void shouldLeaveTheInputInstanceUnchanged() {
        InstanceRecord waiting = start().next().orElseThrow();
        InstanceRecord copy = InstanceRecord.newBuilder(waiting).build();

        machine.acknowledge(waiting, succeeded(ID + "/started", Map.of()), T0.plusSeconds(1));

        assertThat(waiting).isEqualTo(copy);
    }

    private Decision start() {
        StartInstance start = StartInstance.newBuilder()
                .setDefinition(Fixtures.expenseApproval(DefinitionStatus.ACTIVE))
                .setTrigger(Fixtures.expenseSubmitted("event-1", "report-7"))
                .build();
        return machine.start(ID, start, T0);
    }

    private InstanceRecord acknowledge(InstanceRecord instance, String messageId) {
        return machine.acknowledge(instance, succeeded(messageId, Map.of()), T0.plusSeconds(1))
                .next()
                .orElseThrow();
    }

    private static Acknowledgement succeeded(String messageId, Map<String, Object> output) {
        return Acknowledgement.newBuilder()
                .setMessageId(messageId)
                .setInstanceId(ID)
                .setOutcome(Outcome.SUCCEEDED)
                .setOutput(output)
                .build();
    }

    private static List<Integer> statuses(List<InstanceTransition> transitions) {
        return transitions.stream().map(InstanceTransition::getStatusCode).toList();
    }
}
