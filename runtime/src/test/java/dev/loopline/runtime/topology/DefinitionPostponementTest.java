package dev.loopline.runtime.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loopline.api.v1.AckError;
import dev.loopline.api.v1.InstanceTransition;
import dev.loopline.runtime.domain.Fixtures;
import dev.loopline.runtime.domain.InstanceIds;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * When a definition's jobs fail in a row, its new jobs are postponed for longer and longer; after
 * the first success they run at once again.
 */
class DefinitionPostponementTest extends TopologyHarness {

    private static final Instant START = Instant.parse("2026-11-21T10:00:00Z");

    @Override
    protected Map<String, String> settings() {
        return Map.of(
                "LOOPLINE_FAILURE_RULES", "Rejected=fail,*=suspend",
                "LOOPLINE_RETRY_BASE", "PT10S",
                "LOOPLINE_RETRY_CAP", "PT5M");
    }

    @Override
    protected Instant wallClockStart() {
        return START;
    }

    @BeforeEach
    void deployDefinition() {
        definitions().activateExpenseApproval();
    }

    @Test
    void shouldPostponeNewJobsLongerAfterEachFailureInARowAndRunAtOnceAfterASuccess() {
        // given: a first job fails
        runJob("r-1", false);

        // when: the next job is postponed; when it runs and fails too, the one after waits longer
        Duration first = postponement("r-2");
        clock().advance(first.plusSeconds(1));
        finishJob("r-2", false);
        Duration second = postponement("r-3");
        clock().advance(second.plusSeconds(1));
        // and a success ends the postponement
        finishJob("r-3", true);
        events().at(now()).publish(Fixtures.expenseSubmitted("e-r-4", "r-4"));

        // then
        assertThat(first).isBetween(Duration.ofSeconds(8), Duration.ofSeconds(12));
        assertThat(second).isGreaterThan(first).isLessThanOrEqualTo(Duration.ofMinutes(5));
        assertThat(hasStarted("r-4")).as("r-4 starts at once").isTrue();
    }

    /** Starts a job and answers its two messages; the second answer decides the outcome. */
    private void runJob(String report, boolean succeed) {
        events().at(now()).publish(Fixtures.expenseSubmitted("e-" + report, report));
        finishJob(report, succeed);
    }

    private void finishJob(String report, boolean succeed) {
        String instance = instanceOf(report);
        acks().at(now()).acknowledgeStarted(instance);
        String step = InstanceIds.stepMessageId(instance, 0);
        if (succeed) {
            acks().at(now()).succeed(instance, step);
        } else {
            acks().at(now()).fail(instance, step, new AckError("Rejected", "the approver rejected it", null));
        }
        assertThat(recorded().lastStatus(instance)).isEqualTo(succeed ? 30 : 31);
    }

    /** Publishes an event for the report and returns how long its new job is postponed. */
    private Duration postponement(String report) {
        Instant published = now();
        events().at(published).publish(Fixtures.expenseSubmitted("e-" + report, report));
        List<InstanceTransition> own = recorded().transitionsOf(instanceOf(report));
        InstanceTransition postponed = own.get(own.size() - 1);
        assertThat(postponed.getStatusCode()).isZero();
        assertThat(postponed.getReason()).startsWith("postponed until ").contains("failed in a row");
        String reason = postponed.getReason();
        Instant until = Instant.parse(reason.substring("postponed until ".length(), reason.indexOf(": ")));
        assertThat(hasStarted(report)).as("%s has not started", report).isFalse();
        return Duration.between(published, until);
    }

    /** Whether the report's job posted its "workflow started" message. */
    private boolean hasStarted(String report) {
        return recorded().messagesOf(instanceOf(report)).stream()
                .anyMatch(m -> m.getMessageName().equals("WorkflowStarted"));
    }

    private static String instanceOf(String report) {
        return InstanceIds.instanceId("e-" + report, "expense-approval");
    }

    /** Record time; what counts is processing time, the later of it and the driver's wall clock. */
    private static Instant now() {
        return START;
    }
}
