package dev.loopline.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class PartitionProgressTest {

    @Test
    void shouldCommitOnlyBelowTheOldestRecordNotYetFinished() {
        PartitionProgress progress = new PartitionProgress();
        assertThat(progress.committable()).isEmpty();

        progress.taken(10);
        progress.taken(11);
        progress.taken(12);
        progress.finished(11);
        progress.finished(12);

        // 10 is still in flight: a crash must deliver it again, so nothing past it is committed
        assertThat(progress.committable()).isEqualTo(OptionalLong.of(10));
        progress.finished(10);
        assertThat(progress.committable()).isEqualTo(OptionalLong.of(13));
        assertThat(progress.inFlight()).isZero();
    }

    @Test
    void shouldNotOfferTheSameOffsetTwice() {
        PartitionProgress progress = new PartitionProgress();
        progress.taken(0);
        progress.finished(0);
        progress.committed(1);

        assertThat(progress.committable()).isEmpty();
        progress.taken(1);
        assertThat(progress.committable()).isEmpty(); // 1 is in flight: still 1
        progress.finished(1);
        assertThat(progress.committable()).isEqualTo(OptionalLong.of(2));
    }

    @Test
    void shouldStopWaitingAtTheDeadline() throws InterruptedException {
        PartitionProgress progress = new PartitionProgress();
        progress.taken(0);

        assertThat(progress.awaitIdle(System.nanoTime())).isFalse();
        progress.finished(0);
        assertThat(progress.awaitIdle(System.nanoTime())).isTrue();
    }
}
