package dev.loopline.runtime.domain.event;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loopline.api.internal.TokenQueue;
import java.util.List;
import org.junit.jupiter.api.Test;

class DependencyQueuesTest {

    private static final TokenQueue FREE = new TokenQueue(null, List.of());

    @Test
    void shouldGrantAFreeTokenAndQueueLaterJobsInCreationOrder() {
        DependencyQueues.Admission first = DependencyQueues.admit(FREE, "job-1");
        DependencyQueues.Admission second = DependencyQueues.admit(first.queue(), "job-2");
        DependencyQueues.Admission third = DependencyQueues.admit(second.queue(), "job-3");

        assertThat(first.granted()).isTrue();
        assertThat(second.granted()).isFalse();
        assertThat(third.queue()).isEqualTo(new TokenQueue("job-1", List.of("job-2", "job-3")));
        assertThat(List.of(first.newJob(), second.newJob(), third.newJob())).containsOnly(true);
    }

    @Test
    void shouldChangeNothingForAJobThatHoldsOrWaitsAlready() {
        TokenQueue queue = new TokenQueue("job-1", List.of("job-2"));

        DependencyQueues.Admission holder = DependencyQueues.admit(queue, "job-1");
        DependencyQueues.Admission waiting = DependencyQueues.admit(queue, "job-2");

        assertThat(holder).isEqualTo(new DependencyQueues.Admission(queue, true, false));
        assertThat(waiting).isEqualTo(new DependencyQueues.Admission(queue, false, false));
    }

    @Test
    void shouldPassTheTokenToTheFirstWaitingJobWhenItsHolderCompletes() {
        DependencyQueues.Release released =
                DependencyQueues.release(new TokenQueue("job-1", List.of("job-2", "job-3")), "job-1");
        DependencyQueues.Release last = DependencyQueues.release(new TokenQueue("job-3", List.of()), "job-3");

        assertThat(released.grantedTo()).contains("job-2");
        assertThat(released.queue()).isEqualTo(new TokenQueue("job-2", List.of("job-3")));
        assertThat(last.grantedTo()).isEmpty();
        assertThat(last.queue()).isEqualTo(FREE);
    }

    @Test
    void shouldTakeAWaitingJobThatEndsOutOfTheQueueWithoutGrantingAnything() {
        DependencyQueues.Release released =
                DependencyQueues.release(new TokenQueue("job-1", List.of("job-2", "job-3")), "job-2");

        assertThat(released.grantedTo()).isEmpty();
        assertThat(released.queue()).isEqualTo(new TokenQueue("job-1", List.of("job-3")));
    }

    @Test
    void shouldKeyATokenByItsEntityIdForItsReleases() {
        String token = DependencyQueues.token("expense_report", "report-7");

        assertThat(DependencyQueues.entityIdOf(token)).isEqualTo("report-7");
        assertThat(token).isEqualTo("expense_report\u001freport-7");
    }
}
