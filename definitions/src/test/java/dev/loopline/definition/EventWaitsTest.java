package dev.loopline.definition;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loopline.api.v1.WatchedEvent;
import dev.loopline.api.v1.WorkflowDefinition;
import java.time.Instant;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class EventWaitsTest {

    private final DefinitionCompiler compiler = new DefinitionCompiler();

    @Test
    void shouldCarryWhatEarlierVersionsWaitedForAndTheNewOneDoesNot() {
        WorkflowDefinition v1 = version(wait("Paid", "entityId") + "," + wait("Shipped", "orderNo"));
        WorkflowDefinition v2 = WorkflowDefinition.newBuilder(version(wait("Paid", "entityId")))
                .setEarlierWaits(EventWaits.carried(List.of(v1), version(wait("Paid", "entityId"))))
                .build();
        WorkflowDefinition v3 = version("{\"name\":\"x\",\"kind\":\"log\",\"entry\":\"'x'\"}");

        assertThat(EventWaits.carried(List.of(), v1)).isEmpty();
        assertThat(v2.getEarlierWaits()).containsExactly(new WatchedEvent("invoice", "Shipped", "orderNo"));
        assertThat(EventWaits.carried(List.of(v1, v2), v3))
                .containsExactly(
                        new WatchedEvent("invoice", "Shipped", "orderNo"),
                        new WatchedEvent("invoice", "Paid", "entityId"));
    }

    @Test
    void shouldCarryAtMostTheLimitKeepingTheMostRecentlyDropped() {
        String many = IntStream.range(0, EventWaits.MAX_EARLIER_WAITS + 5)
                .mapToObj(i -> wait("M" + i, "entityId"))
                .collect(Collectors.joining(","));
        WorkflowDefinition wide = version(many);

        var carried = EventWaits.carried(List.of(wide), version("{\"name\":\"x\",\"kind\":\"log\",\"entry\":\"'x'\"}"));

        assertThat(carried).hasSize(EventWaits.MAX_EARLIER_WAITS);
        assertThat(carried.get(carried.size() - 1).getMessageName())
                .isEqualTo("M" + (EventWaits.MAX_EARLIER_WAITS + 4));
    }

    private static String wait(String message, String keyField) {
        return """
                {"name":"w","kind":"wait-for-event","event":{"entityType":"invoice","messageName":"%s",
                 "keyField":"%s","key":"trigger.entityId"}}""".formatted(message, keyField).replace("\"w\"", "\"w" + message + "\"");
    }

    private WorkflowDefinition version(String steps) {
        return compiler.compile("""
                {"id":"d","name":"n","trigger":{"entityType":"invoice","messageName":"Create"},"steps":[%s]}""".formatted(steps), Instant.EPOCH);
    }
}
