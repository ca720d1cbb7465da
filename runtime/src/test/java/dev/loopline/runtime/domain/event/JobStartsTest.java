package dev.loopline.runtime.domain.event;

import static dev.loopline.runtime.domain.Fixtures.T0;
import static org.assertj.core.api.Assertions.assertThat;

import dev.loopline.api.internal.TokenQueue;
import dev.loopline.api.v1.Causation;
import dev.loopline.api.v1.DefinitionStatus;
import dev.loopline.api.v1.PlatformEvent;
import dev.loopline.api.v1.WorkflowDefinition;
import dev.loopline.runtime.domain.FailurePolicy;
import dev.loopline.runtime.domain.Fixtures;
import dev.loopline.runtime.domain.InstanceIds;
import dev.loopline.runtime.domain.LoopGuard;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class JobStartsTest {

    private static final TokenQueue FREE = new TokenQueue(null, List.of());
    private static final String TOKEN = "expense_report\u001freport-7";

    private final FailurePolicy failures = FailurePolicy.defaults();
    private final JobStarts starts = new JobStarts(LoopGuard.defaults(), failures);
    private final WorkflowDefinition definition = Fixtures.expenseApproval(DefinitionStatus.ACTIVE);
    private final PlatformEvent event = Fixtures.expenseSubmitted("e-1", "report-7");

    @Test
    void shouldStartAtOnceWithTheTokenOfAFreeEntity() {
        JobStart job = starts.start(definition, event, List.of(), FREE, 0, T0);

        assertThat(job.instanceId()).isEqualTo(InstanceIds.instanceId("e-1", "expense-approval"));
        assertThat(job.startsNow()).isTrue();
        assertThat(job.command().getGranted()).isTrue();
        assertThat(job.command().getDependencyToken()).isEqualTo(TOKEN);
        assertThat(job.queue()).isEqualTo(new TokenQueue(job.instanceId(), List.of()));
        assertThat(job.runs()).containsExactly(T0);
    }

    @Test
    void shouldQueueBehindTheJobThatHoldsTheEntitysToken() {
        JobStart job = starts.start(definition, event, List.of(), new TokenQueue("job-0", List.of()), 0, T0);

        assertThat(job.startsNow()).isFalse();
        assertThat(job.command().getGranted()).isFalse();
        assertThat(job.queue().getWaiting()).containsExactly(job.instanceId());
    }

    @Test
    void shouldStartACalledChildUnderItsParentWithoutTheEntitysTokenAndQueueAStartedOne() {
        // given: the parent holds the entity's token, and calls a child on the same entity
        TokenQueue heldByParent = new TokenQueue("parent-1", List.of());
        PlatformEvent child = PlatformEvent.newBuilder(event)
                .setEventId("workflow/parent-1/step-0")
                .setSource("workflow-call")
                .setStartsDefinition("expense-approval")
                .build();
        PlatformEvent started =
                PlatformEvent.newBuilder(child).setSource("workflow").build();

        // when
        JobStart job = starts.start(definition, child, List.of(), heldByParent, 0, T0);
        JobStart queued = starts.start(definition, started, List.of(), heldByParent, 0, T0);

        // then: it starts at once, and the parent's queue is as it was
        assertThat(job.startsNow()).isTrue();
        assertThat(job.command().getGranted()).isTrue();
        assertThat(job.command().getDependencyToken()).isNull();
        assertThat(job.queue()).isEqualTo(heldByParent);
        // while a child it does not wait for queues behind it, as any job
        assertThat(queued.startsNow()).isFalse();
        assertThat(queued.command().getDependencyToken()).isEqualTo(TOKEN);
    }

    @Test
    void shouldPostponeAFailingDefinitionsJobWhetherOrNotItIsQueued() {
        JobStart free = starts.start(definition, event, List.of(), FREE, 3, T0);
        JobStart queued = starts.start(definition, event, List.of(), new TokenQueue("job-0", List.of()), 3, T0);

        Instant until = T0.plus(failures.backoff("expense-approval", 3));
        for (JobStart job : List.of(free, queued)) {
            assertThat(job.postponed()).isTrue();
            assertThat(job.startsNow()).isFalse();
            assertThat(job.command().getPostponeUntil()).isEqualTo(until);
            assertThat(job.command().getPostponeReason()).isEqualTo("expense-approval's last 3 job(s) failed in a row");
        }
        assertThat(queued.command().getGranted()).isFalse();
    }

    @Test
    void shouldStopAJobThatRunsOnceTooOftenOnOneRecordAndTakeNoToken() {
        List<Instant> earlier = Collections.nCopies(16, T0.minus(Duration.ofMinutes(5)));

        JobStart job = starts.start(definition, event, earlier, FREE, 0, T0);

        assertThat(job.loopStopped()).isTrue();
        assertThat(job.command().getLoopError()).contains("ran more than 16 times on expense_report report-7");
        assertThat(job.command().getDependencyToken()).isNull();
        assertThat(job.queue()).isEqualTo(FREE);
        assertThat(job.startsNow()).isFalse();
        assertThat(job.runs()).hasSize(17);
    }

    @Test
    void shouldStopAJobOfACausationChainTooDeep() {
        PlatformEvent caused = PlatformEvent.newBuilder(event)
                .setCausation(new Causation("instance-0", 9, T0.minusSeconds(60)))
                .build();

        JobStart job = starts.start(definition, caused, List.of(), FREE, 0, T0);

        assertThat(job.loopStopped()).isTrue();
        assertThat(job.command().getLoopError()).startsWith("infinite loop: causation depth 9 exceeds 8");
    }

    @Test
    void shouldForgetRunsOutsideTheLoopGuardsWindow() {
        List<Instant> earlier = Collections.nCopies(16, T0.minus(Duration.ofHours(2)));

        JobStart job = starts.start(definition, event, earlier, FREE, 0, T0);

        assertThat(job.loopStopped()).isFalse();
        assertThat(job.runs()).containsExactly(T0);
    }
}
