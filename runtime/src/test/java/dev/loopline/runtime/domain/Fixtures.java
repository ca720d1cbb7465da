package dev.loopline.runtime.domain;

import dev.loopline.api.internal.StartInstance;
import dev.loopline.api.v1.DefinitionStatus;
import dev.loopline.api.v1.PlatformEvent;
import dev.loopline.api.v1.Step;
import dev.loopline.api.v1.StepKind;
import dev.loopline.api.v1.Trigger;
import dev.loopline.api.v1.WorkflowDefinition;
import dev.loopline.definition.DefinitionCompiler;
import dev.loopline.definition.expression.Expressions;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Definitions and events shared by the runtime's unit tests. */
public final class Fixtures {

    /** The reply token of every message the test machines post, echoed by the tests' acknowledgements. */
    public static final String TOKEN = "reply-token";

    public static final ReplyTokens TOKENS = () -> TOKEN;

    /** An active definition (id "test", on expense_report Submitted) with these document steps, compiled. */
    public static WorkflowDefinition definitionOf(String steps) {
        String document = """
                {"id":"test","name":"test","trigger":{"entityType":"expense_report","messageName":"Submitted"},
                 "steps":[%s]}""".formatted(steps);
        return WorkflowDefinition.newBuilder(new DefinitionCompiler().compile(document, T0))
                .setStatus(DefinitionStatus.ACTIVE)
                .setVersion(1)
                .build();
    }

    /** A state machine with the default policies whose messages carry {@link #TOKEN}. */
    public static InstanceMachine machine() {
        return machine(FailurePolicy.defaults());
    }

    public static InstanceMachine machine(FailurePolicy failures) {
        return new InstanceMachine(
                new Expressions(), failures, InstanceMachine.DEFAULT_RETENTION, InstanceLimits.defaults(), TOKENS);
    }

    public static final Instant T0 = Instant.parse("2026-11-21T10:00:00Z");

    private Fixtures() {}

    /** The status codes of a decision's transitions, in order. */
    public static java.util.List<Integer> statuses(Decision decision) {
        return decision.transitions().stream()
                .map(dev.loopline.api.v1.InstanceTransition::getStatusCode)
                .toList();
    }

    /** A decision's last transition. */
    public static dev.loopline.api.v1.InstanceTransition last(Decision decision) {
        return decision.transitions().get(decision.transitions().size() - 1);
    }

    /** An acknowledgement of a message of instance {@code instanceId}, echoing {@link #TOKEN}, with no output. */
    public static dev.loopline.api.v1.Acknowledgement acknowledgement(
            String instanceId, String messageId, dev.loopline.api.v1.Outcome outcome) {
        return dev.loopline.api.v1.Acknowledgement.newBuilder()
                .setMessageId(messageId)
                .setInstanceId(instanceId)
                .setOutcome(outcome)
                .setReplyToken(TOKEN)
                .setOutput(Map.of())
                .build();
    }

    /** The seeds' expense approval: on a submitted expense report, ask for approval. */
    public static WorkflowDefinition expenseApproval(DefinitionStatus status) {
        return WorkflowDefinition.newBuilder()
                .setId("expense-approval")
                .setVersion(1)
                .setName("Expense approval")
                .setStatus(status)
                .setTrigger(Trigger.newBuilder()
                        .setEntityType("expense_report")
                        .setMessageName("Submitted")
                        .setFilter(Map.of("currency", "EUR"))
                        .build())
                .setSteps(List.of(Step.newBuilder()
                        .setName("approval")
                        .setKind(StepKind.SEND_MESSAGE)
                        .setMessageName("RequestApproval")
                        .setPayload(Map.of("approver", "manager"))
                        .build()))
                .setUpdatedAt(T0)
                .build();
    }

    /**
     * A start command for this definition and trigger, as the event half sends it to a job that may
     * start at once and posts nothing itself; the builder sets the rest (queued, postponed, stopped).
     */
    public static StartInstance.Builder startOf(WorkflowDefinition definition, PlatformEvent trigger) {
        return StartInstance.newBuilder().setDefinition(definition).setTrigger(trigger);
    }

    public static PlatformEvent expenseSubmitted(String eventId, String reportId) {
        return PlatformEvent.newBuilder()
                .setEventId(eventId)
                .setSource("erp")
                .setEntityType("expense_report")
                .setEntityId(reportId)
                .setMessageName("Submitted")
                .setAttributes(Map.of("currency", "EUR", "amount", 120L))
                .setOccurredAt(T0)
                .build();
    }
}
