package dev.loopline.runtime.domain.event;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loopline.api.v1.PlatformEvent;
import dev.loopline.api.v1.WorkflowDefinition;
import dev.loopline.definition.EventWaits;
import dev.loopline.runtime.domain.CorrelationKeys;
import dev.loopline.runtime.domain.Fixtures;
import java.util.List;
import org.junit.jupiter.api.Test;

class EventCorrelationTest {

    private final WorkflowDefinition waiting = Fixtures.definitionOf("""
            {"name":"paid","kind":"wait-for-event",
             "event":{"entityType":"expense_report","messageName":["Submitted","OnDemand"],"key":"trigger.entityId"}}""");

    @Test
    void shouldKeyAnEventByTheFieldsThatWaitsForItUse() {
        PlatformEvent submitted = Fixtures.expenseSubmitted("e-1", "report-1");

        assertThat(EventCorrelation.keys(submitted, List.of(waiting))).hasSize(1);
    }

    @Test
    void shouldKeepKeyingWhatAnEarlierVersionWaitsForAfterAnEditDroppedTheWait() {
        WorkflowDefinition edited =
                Fixtures.definitionOf("{\"name\":\"a\",\"kind\":\"send-message\",\"messageName\":\"M\"}");
        PlatformEvent submitted = Fixtures.expenseSubmitted("e-1", "report-1");
        WorkflowDefinition carried = WorkflowDefinition.newBuilder(edited)
                .setEarlierWaits(EventWaits.carried(List.of(waiting), edited))
                .build();

        assertThat(EventCorrelation.keys(submitted, List.of(edited))).isEmpty();
        assertThat(EventCorrelation.keys(submitted, List.of(carried)))
                .containsExactly(CorrelationKeys.of("expense_report", "entityId", "report-1"));
    }

    @Test
    void shouldEndNoWaitWithAnOnDemandStart() {
        PlatformEvent start = PlatformEvent.newBuilder(Fixtures.expenseSubmitted("e-1", "report-1"))
                .setMessageName("OnDemand")
                .setStartsDefinition("expense-approval")
                .build();

        assertThat(EventCorrelation.keys(start, List.of(waiting))).isEmpty();
    }
}
