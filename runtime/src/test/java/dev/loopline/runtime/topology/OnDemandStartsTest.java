package dev.loopline.runtime.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loopline.api.OnDemandStart;
import dev.loopline.api.v1.DefinitionStatus;
import dev.loopline.api.v1.PlatformEvent;
import dev.loopline.api.v1.WorkflowDefinition;
import dev.loopline.api.v1.WorkflowMessage;
import dev.loopline.definition.DefinitionCompiler;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Starts of one definition by name: a workflow's start-workflow step, and a start that starts nothing. */
class OnDemandStartsTest extends TopologyHarness {

    private static final Instant START = Instant.parse("2026-11-21T10:00:00Z");

    @Override
    protected Instant wallClockStart() {
        return START;
    }

    @Test
    void shouldStartAChildWorkflowOnItsEntityWithItsInputsOneCauseDeeper() {
        // given: an on-demand child, and a parent that starts it and goes on
        definitions().publish(active("""
                {"id":"child","name":"child","trigger":{"entityType":"customer"},
                 "onDemand":{"inputs":{"properties":{"order":{"type":"string"}},"required":["order"]}},
                 "steps":[{"name":"welcome","kind":"send-message","messageName":"Welcome",
                           "payload":{"order":"=trigger.inputs.order"}}]}"""));
        definitions().deploy("""
                {"name":"spawn","kind":"start-workflow","definition":"child","entityType":"customer",
                 "entityId":"trigger.attributes.customer","inputs":{"order":"=trigger.entityId"}},
                {"name":"tell","kind":"send-message","messageName":"Spawned",
                 "payload":{"child":"=steps.spawn.instanceId"}}""");

        // when
        events().publish(order("o-1", "c-9"));
        String parent = recorded().messages().get(0).getInstanceId();
        acks().acknowledgeStarted(parent);

        // then: the parent goes on at once and names its child
        WorkflowMessage spawned = recorded().stepMessages().stream()
                .filter(message -> message.getMessageName().equals("Spawned"))
                .findFirst()
                .orElseThrow();
        String child = (String) spawned.getPayload().get("child");
        // and the child starts on the customer, one cause deeper, with its inputs
        WorkflowMessage started = recorded().messagesOf(child).get(0);
        assertThat(started.getEntityType()).isEqualTo("customer");
        assertThat(started.getEntityId()).isEqualTo("c-9");
        acks().acknowledgeStarted(child);
        assertThat(recorded().messagesOf(child))
                .extracting(WorkflowMessage::getMessageName)
                .contains("Welcome");
        assertThat(recorded().messagesOf(child).get(1).getPayload()).containsEntry("order", "o-1");
        assertThat(storedInstance(child).getTrigger().getCausation().getDepth()).isEqualTo(1);
        assertThat(storedInstance(child).getTrigger().getCausation().getOriginatingInstanceId())
                .isEqualTo(parent);
        assertThat(recorded().deadLetters()).isEmpty();
    }

    @Test
    void shouldWaitForACalledChildAndGoOnWithItsVariables() {
        // given: a child that sets a variable, and a parent that calls it
        definitions().publish(active("""
                {"id":"child","name":"child","trigger":{"entityType":"order"},"onDemand":{},
                 "steps":[{"name":"score","kind":"set-variable","variable":"score","value":"42"}]}"""));
        definitions().deploy("""
                {"name":"check","kind":"call-workflow","definition":"child"},
                {"name":"tell","kind":"send-message","messageName":"Scored","payload":{"score":"=steps.check.score"}}""");

        // when: the parent starts; then the child starts and completes
        events().publish(order("o-1", "c-9"));
        String parent = recorded().messages().get(0).getInstanceId();
        acks().acknowledgeStarted(parent);
        String child = storedInstance(parent).getWait().getChildInstanceId();
        assertThat(recorded().stepMessages()).isEmpty();
        acks().acknowledgeStarted(child);

        // then: the parent goes on with the child's variable
        assertThat(recorded().lastStatus(child)).isEqualTo(30);
        assertThat(recorded().messagesOf(parent))
                .filteredOn(message -> message.getMessageName().equals("Scored"))
                .singleElement()
                .satisfies(scored -> assertThat(scored.getPayload()).containsEntry("score", 42L));
        assertThat(recorded().deadLetters()).isEmpty();
    }

    @Test
    void shouldFailTheCallingStepWhenTheChildStartsNothing() {
        // given: a parent that calls a definition that does not exist
        definitions().deploy("""
                {"name":"check","kind":"call-workflow","definition":"no-such-child"},
                {"name":"tell","kind":"send-message","messageName":"Never"}""");

        // when
        events().publish(order("o-1", "c-9"));
        String parent = recorded().messages().get(0).getInstanceId();
        acks().acknowledgeStarted(parent);

        // then: the parent's step fails with the reason, and nothing is dead-lettered
        assertThat(recorded().lastStatus(parent)).isEqualTo(31);
        assertThat(recorded()
                        .transitionsOf(parent)
                        .get(recorded().transitionsOf(parent).size() - 1)
                        .getReason())
                .contains("on-demand start of no-such-child started nothing: no such definition");
        assertThat(recorded().deadLetters()).isEmpty();
    }

    @Test
    void shouldDeadLetterAnOnDemandStartThatStartsNothingWithTheReason() {
        // given: the definition is not active (deactivated after the gateway's check, say)
        WorkflowDefinition child = active("""
                {"id":"child","name":"child","trigger":{"entityType":"customer"},"onDemand":{},
                 "steps":[{"name":"s","kind":"stop"}]}""");
        definitions()
                .publish(WorkflowDefinition.newBuilder(child)
                        .setStatus(DefinitionStatus.INACTIVE)
                        .build());

        // when
        events().publish(PlatformEvent.newBuilder(order("o-1", "c-9"))
                .setEventId(OnDemandStart.requestEventId("child", "c-9", "r-1"))
                .setEntityType("customer")
                .setEntityId("c-9")
                .setMessageName(OnDemandStart.MESSAGE_NAME)
                .setStartsDefinition("child")
                .build());

        // then
        assertThat(recorded().messages()).isEmpty();
        assertThat(recorded().deadLetters())
                .singleElement()
                .satisfies(dead -> assertThat(header(dead, "__streams.errors.message"))
                        .isEqualTo("on-demand start of child started nothing: it is not active"));
    }

    private static WorkflowDefinition active(String document) {
        return WorkflowDefinition.newBuilder(new DefinitionCompiler().compile(document, START))
                .setStatus(DefinitionStatus.ACTIVE)
                .setVersion(1)
                .build();
    }

    private static PlatformEvent order(String orderId, String customer) {
        return PlatformEvent.newBuilder()
                .setEventId("order-created-" + orderId)
                .setSource("shop")
                .setEntityType("order")
                .setEntityId(orderId)
                .setMessageName("Create")
                .setAttributes(Map.of("customer", customer))
                .setOccurredAt(START)
                .build();
    }
}
