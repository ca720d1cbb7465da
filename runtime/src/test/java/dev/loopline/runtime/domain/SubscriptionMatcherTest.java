package dev.loopline.runtime.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.loopline.api.v1.DefinitionStatus;
import dev.loopline.api.v1.PlatformEvent;
import dev.loopline.api.v1.Trigger;
import dev.loopline.api.v1.WorkflowDefinition;
import dev.loopline.definition.expression.ExpressionException;
import dev.loopline.definition.expression.Expressions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SubscriptionMatcherTest {

    private final SubscriptionMatcher matcher = new SubscriptionMatcher(new Expressions());
    private final PlatformEvent submitted = Fixtures.expenseSubmitted("e-1", "report-1");

    @Test
    void shouldMatchAnActiveDefinitionOnEntityTypeMessageAndFilter() {
        assertThat(matcher.matches(Fixtures.expenseApproval(DefinitionStatus.ACTIVE), submitted, Fixtures.T0))
                .isTrue();
    }

    @Test
    void shouldNotMatchADefinitionThatIsNotActive() {
        assertThat(matcher.matches(Fixtures.expenseApproval(DefinitionStatus.DRAFT), submitted, Fixtures.T0))
                .isFalse();
        assertThat(matcher.matches(Fixtures.expenseApproval(DefinitionStatus.INACTIVE), submitted, Fixtures.T0))
                .isFalse();
    }

    @Test
    void shouldNotMatchAnotherMessageOrEntityType() {
        PlatformEvent deleted =
                PlatformEvent.newBuilder(submitted).setMessageName("Delete").build();
        PlatformEvent account =
                PlatformEvent.newBuilder(submitted).setEntityType("account").build();

        assertThat(matcher.matches(Fixtures.expenseApproval(DefinitionStatus.ACTIVE), deleted, Fixtures.T0))
                .isFalse();
        assertThat(matcher.matches(Fixtures.expenseApproval(DefinitionStatus.ACTIVE), account, Fixtures.T0))
                .isFalse();
    }

    @Test
    void shouldRequireEveryFilterAttribute() {
        PlatformEvent dollars = PlatformEvent.newBuilder(submitted)
                .setAttributes(Map.of("currency", "USD"))
                .build();
        PlatformEvent noCurrency =
                PlatformEvent.newBuilder(submitted).setAttributes(Map.of()).build();

        assertThat(matcher.matches(Fixtures.expenseApproval(DefinitionStatus.ACTIVE), dollars, Fixtures.T0))
                .isFalse();
        assertThat(matcher.matches(Fixtures.expenseApproval(DefinitionStatus.ACTIVE), noCurrency, Fixtures.T0))
                .isFalse();
    }

    @Test
    void shouldFireAnUpdateTriggerOnlyWhenAWatchedAttributeChanged() {
        WorkflowDefinition onStatusChange = definition(Trigger.newBuilder()
                .setEntityType("expense_report")
                .setMessageName("Update")
                .setChangedAttributes(List.of("status"))
                .build());
        PlatformEvent statusChanged = PlatformEvent.newBuilder(submitted)
                .setMessageName("Update")
                .setChangedAttributes(List.of("status", "note"))
                .build();
        PlatformEvent noteChanged = PlatformEvent.newBuilder(statusChanged)
                .setChangedAttributes(List.of("note"))
                .build();

        assertThat(matcher.matches(onStatusChange, statusChanged, Fixtures.T0)).isTrue();
        assertThat(matcher.matches(onStatusChange, noteChanged, Fixtures.T0)).isFalse();
    }

    @Test
    void shouldFireOnlyWhenTheConditionHolds() {
        WorkflowDefinition large = definition(Trigger.newBuilder()
                .setEntityType("expense_report")
                .setMessageName("Submitted")
                .setCondition("trigger.attributes.amount > 100")
                .build());
        PlatformEvent small = PlatformEvent.newBuilder(submitted)
                .setAttributes(Map.of("amount", 50L))
                .build();

        assertThat(matcher.matches(large, submitted, Fixtures.T0)).isTrue();
        assertThat(matcher.matches(large, small, Fixtures.T0)).isFalse();
    }

    @Test
    void shouldReportAConditionThatCannotBeEvaluated() {
        WorkflowDefinition broken = definition(Trigger.newBuilder()
                .setEntityType("expense_report")
                .setMessageName("Submitted")
                .setCondition("trigger.attributes.missing > 1")
                .build());

        assertThatThrownBy(() -> matcher.matchesOrThrow(broken, submitted, Fixtures.T0))
                .isInstanceOf(ExpressionException.class)
                .hasMessageContaining("trigger condition of expense-approval v1");
    }

    private static WorkflowDefinition definition(Trigger trigger) {
        return WorkflowDefinition.newBuilder(Fixtures.expenseApproval(DefinitionStatus.ACTIVE))
                .setTrigger(trigger)
                .build();
    }

    @Test
    void shouldWriteCorrelationKeyValuesTheSameWhateverTheNumberType() {
        assertThat(CorrelationKeys.text(42L))
                .isEqualTo(CorrelationKeys.text(42.0))
                .isEqualTo("42");
        assertThat(CorrelationKeys.text(42.5)).isEqualTo("42.5");
        assertThat(CorrelationKeys.text("a\u001fb")).isNull();
    }

    @Test
    void shouldCompareNumbersByValue() {
        assertThat(SubscriptionMatcher.sameValue(5L, 5.0)).isTrue();
        assertThat(SubscriptionMatcher.sameValue(5L, 5.5)).isFalse();
        assertThat(SubscriptionMatcher.sameValue("5", 5L)).isFalse();
    }

    @Test
    void shouldDeriveTheSameInstanceIdForTheSameEventAndDefinition() {
        assertThat(InstanceIds.instanceId("e-1", "d-1"))
                .isEqualTo(InstanceIds.instanceId("e-1", "d-1"))
                .isNotEqualTo(InstanceIds.instanceId("e-1", "d-2"))
                .isNotEqualTo(InstanceIds.instanceId("e-2", "d-1"));
    }

    @Test
    void shouldStartOnlyTheNamedOnDemandDefinitionWhateverItsTrigger() {
        // given: an on-demand start of the expense approval, for a report whose currency its filter refuses
        WorkflowDefinition onDemand = WorkflowDefinition.newBuilder(Fixtures.expenseApproval(DefinitionStatus.ACTIVE))
                .setOnDemandInputs("{\"type\":\"object\"}")
                .build();
        PlatformEvent start = PlatformEvent.newBuilder(submitted)
                .setMessageName("OnDemand")
                .setAttributes(Map.of("currency", "USD"))
                .setStartsDefinition("expense-approval")
                .setInputs(Map.of("reason", "audit"))
                .build();

        // then
        assertThat(matcher.matches(onDemand, start, Fixtures.T0)).isTrue();
        assertThat(matcher.matches(Fixtures.expenseApproval(DefinitionStatus.ACTIVE), start, Fixtures.T0))
                .as("not an on-demand definition")
                .isFalse();
        assertThat(matcher.matches(
                        WorkflowDefinition.newBuilder(onDemand).setId("other").build(), start, Fixtures.T0))
                .as("another definition")
                .isFalse();
        assertThat(matcher.matches(
                        WorkflowDefinition.newBuilder(onDemand)
                                .setStatus(DefinitionStatus.INACTIVE)
                                .build(),
                        start,
                        Fixtures.T0))
                .as("not active")
                .isFalse();
        assertThat(matcher.matches(
                        onDemand,
                        PlatformEvent.newBuilder(start).setEntityType("account").build(),
                        Fixtures.T0))
                .as("another entity type")
                .isFalse();
    }

    @Test
    void shouldNeverStartADefinitionWithoutAMessageNameFromAnEvent() {
        WorkflowDefinition onDemandOnly = WorkflowDefinition.newBuilder(
                        Fixtures.expenseApproval(DefinitionStatus.ACTIVE))
                .setOnDemandInputs("{\"type\":\"object\"}")
                .setTrigger(Trigger.newBuilder()
                        .setEntityType("expense_report")
                        .setMessageName("")
                        .build())
                .build();

        assertThat(matcher.matches(onDemandOnly, submitted, Fixtures.T0)).isFalse();
        assertThat(matcher.matches(
                        onDemandOnly,
                        PlatformEvent.newBuilder(submitted).setMessageName("").build(),
                        Fixtures.T0))
                .isFalse();
    }

    @Test
    void shouldStartNothingOnDemandWithInitiationDataTheSchemaRefuses() {
        // given: an on-demand start written to the topic directly, past the gateway's check
        WorkflowDefinition onDemand = WorkflowDefinition.newBuilder(Fixtures.expenseApproval(DefinitionStatus.ACTIVE))
                .setOnDemandInputs("{\"type\":\"object\",\"properties\":{\"reason\":{\"type\":\"string\"}},"
                        + "\"required\":[\"reason\"],\"additionalProperties\":false}")
                .build();
        PlatformEvent start = PlatformEvent.newBuilder(submitted)
                .setMessageName("OnDemand")
                .setStartsDefinition("expense-approval")
                .setInputs(Map.of("colour", "red"))
                .build();

        // then
        assertThatThrownBy(() -> matcher.matchesOrThrow(onDemand, start, Fixtures.T0))
                .isInstanceOf(ExpressionException.class)
                .hasMessageContaining("on-demand start of expense-approval v1")
                .hasMessageContaining("inputs.reason");
    }
}
