package dev.loopline.runtime.domain;

import static dev.loopline.runtime.domain.Fixtures.T0;
import static org.assertj.core.api.Assertions.assertThat;

import dev.loopline.api.v1.Causation;
import dev.loopline.api.v1.PlatformEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LoopGuardTest {

    private final LoopGuard guard = LoopGuard.defaults();

    @Test
    void shouldStopAChainDeeperThanEightWithinAnHour() {
        assertThat(guard.depthViolation(caused(8, T0), T0.plusSeconds(60))).isEmpty();
        assertThat(guard.depthViolation(caused(9, T0), T0.plusSeconds(60)))
                .hasValueSatisfying(
                        error -> assertThat(error).startsWith("infinite loop: causation depth 9 exceeds 8"));
        assertThat(guard.depthViolation(caused(9, T0), T0.plus(Duration.ofMinutes(61))))
                .isEmpty();
        assertThat(guard.depthViolation(Fixtures.expenseSubmitted("e", "r"), T0))
                .isEmpty();
    }

    @Test
    void shouldRaiseTheDepthAndKeepTheChainStartForWorkflowCausedEvents() {
        PlatformEvent upstream = Fixtures.expenseSubmitted("e", "r");
        Causation first = LoopGuard.next("i-1", upstream);
        Causation second = LoopGuard.next("i-2", caused(first.getDepth(), first.getChainStartedAt()));

        assertThat(first).isEqualTo(new Causation("i-1", 1, upstream.getOccurredAt()));
        assertThat(second).isEqualTo(new Causation("i-2", 2, upstream.getOccurredAt()));
    }

    @Test
    void shouldStopTheSeventeenthRunOnOneRecordWithinTheWindow() {
        PlatformEvent event = Fixtures.expenseSubmitted("e", "r");
        List<Instant> runs = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            runs = guard.recordRun(runs, T0.plusSeconds(i));
            assertThat(guard.runsViolation(runs, "d", event))
                    .as("run %d", i + 1)
                    .isEmpty();
        }

        List<Instant> seventeen = guard.recordRun(runs, T0.plusSeconds(16));
        List<Instant> muchLater = guard.recordRun(runs, T0.plus(Duration.ofHours(2)));

        assertThat(guard.runsViolation(seventeen, "d", event))
                .hasValueSatisfying(error -> assertThat(error).contains("ran more than 16 times on expense_report r"));
        assertThat(guard.runsViolation(muchLater, "d", event)).isEmpty();
    }

    private static PlatformEvent caused(int depth, Instant chainStart) {
        return PlatformEvent.newBuilder(Fixtures.expenseSubmitted("e", "r"))
                .setCausation(new Causation("earlier", depth, chainStart))
                .build();
    }
}
