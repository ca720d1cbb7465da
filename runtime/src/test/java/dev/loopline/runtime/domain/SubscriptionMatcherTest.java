package dev.loopline.runtime.domain;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loopline.api.v1.DefinitionStatus;
import dev.loopline.api.v1.PlatformEvent;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SubscriptionMatcherTest {

    private final PlatformEvent submitted = Fixtures.expenseSubmitted("e-1", "report-1");

    @Test
    void shouldMatchAnActiveDefinitionOnEntityTypeMessageAndFilter() {
        assertThat(SubscriptionMatcher.matches(Fixtures.expenseApproval(DefinitionStatus.ACTIVE), submitted))
                .isTrue();
    }

    @Test
    void shouldNotMatchADefinitionThatIsNotActive() {
        assertThat(SubscriptionMatcher.matches(Fixtures.expenseApproval(DefinitionStatus.DRAFT), submitted))
                .isFalse();
        assertThat(SubscriptionMatcher.matches(Fixtures.expenseApproval(DefinitionStatus.INACTIVE), submitted))
                .isFalse();
    }

    @Test
    void shouldNotMatchAnotherMessageOrEntityType() {
        PlatformEvent deleted =
                PlatformEvent.newBuilder(submitted).setMessageName("Delete").build();
        PlatformEvent account =
                PlatformEvent.newBuilder(submitted).setEntityType("account").build();

        assertThat(SubscriptionMatcher.matches(Fixtures.expenseApproval(DefinitionStatus.ACTIVE), deleted))
                .isFalse();
        assertThat(SubscriptionMatcher.matches(Fixtures.expenseApproval(DefinitionStatus.ACTIVE), account))
                .isFalse();
    }

    @Test
    void shouldRequireEveryFilterAttribute() {
        PlatformEvent dollars = PlatformEvent.newBuilder(submitted)
                .setAttributes(Map.of("currency", "USD"))
                .build();
        PlatformEvent noCurrency =
                PlatformEvent.newBuilder(submitted).setAttributes(Map.of()).build();

        assertThat(SubscriptionMatcher.matches(Fixtures.expenseApproval(DefinitionStatus.ACTIVE), dollars))
                .isFalse();
        assertThat(SubscriptionMatcher.matches(Fixtures.expenseApproval(DefinitionStatus.ACTIVE), noCurrency))
                .isFalse();
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
}
