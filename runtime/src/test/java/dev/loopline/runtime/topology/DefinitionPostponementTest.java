package dev.loopline.runtime.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loopline.api.v1.AckError;
import dev.loopline.api.v1.Acknowledgement;
import dev.loopline.api.v1.DefinitionStatus;
import dev.loopline.api.v1.InstanceTransition;
import dev.loopline.api.v1.Outcome;
import dev.loopline.api.v1.WorkflowMessage;
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
        definitions.pipeInput("expense-approval", Fixtures.expenseApproval(DefinitionStatus.ACTIVE), START);
    }

    @Test
    void shouldPostponeNewJobsLongerAfterEachFailureInARowAndRunAtOnceAfterASuccess() {
        // a first job fails
        runJob("r-1", false);

        // the next job is postponed; when it runs and fails too, the one after waits longer
        Duration first = postponement("r-2");
        driver.advanceWallClockTime(first.plusSeconds(1));
        finishJob("r-2", false);
        Duration second = postponement("r-3");
        driver.advanceWallClockTime(second.plusSeconds(1));

        // a success ends the postponement
        finishJob("r-3", true);
        events.pipeInput("r-4", Fixtures.expenseSubmitted("e-r-4", "r-4"), now());

        assertThat(first).isBetween(Duration.ofSeconds(8), Duration.ofSeconds(12));
        assertThat(second).isGreaterThan(first).isLessThanOrEqualTo(Duration.ofMinutes(5));
        assertThat(startedMessageOf("r-4")).as("r-4 starts at once").isTrue();
    }

    /** Starts a job and answers its two messages; the second answer decides the outcome. */
    private void runJob(String report, boolean succeed) {
        events.pipeInput(report, Fixtures.expenseSubmitted("e-" + report, report), now());
        finishJob(report, succeed);
    }

    private void finishJob(String report, boolean succeed) {
        String instance = InstanceIds.instanceId("e-" + report, "expense-approval");
        acks.pipeInput(instance, ack(instance, InstanceIds.startedMessageId(instance), true), now());
        acks.pipeInput(instance, ack(instance, InstanceIds.stepMessageId(instance, 0), succeed), now());
        assertThat(lastStatus(instance)).isEqualTo(succeed ? 30 : 31);
    }

    /** Publishes an event for the report and returns how long its new job is postponed. */
    private Duration postponement(String report) {
        Instant published = now();
        events.pipeInput(report, Fixtures.expenseSubmitted("e-" + report, report), published);
        String instance = InstanceIds.instanceId("e-" + report, "expense-approval");
        InstanceTransition postponed =
                transitionsOf(instance).get(transitionsOf(instance).size() - 1);
        assertThat(postponed.getStatusCode()).isZero();
        assertThat(postponed.getReason()).startsWith("postponed until ").contains("failed in a row");
        String reason = postponed.getReason();
        Instant until = Instant.parse(reason.substring("postponed until ".length(), reason.indexOf(": ")));
        assertThat(startedMessageOf(report)).as("%s has not started", report).isFalse();
        return Duration.between(published, until);
    }

    private List<InstanceTransition> seen = new java.util.ArrayList<>();

    private List<InstanceTransition> transitionsOf(String instance) {
        seen.addAll(transitions.readValuesToList());
        return seen.stream().filter(t -> t.getInstanceId().equals(instance)).toList();
    }

    private int lastStatus(String instance) {
        List<InstanceTransition> own = transitionsOf(instance);
        return own.get(own.size() - 1).getStatusCode();
    }

    private List<WorkflowMessage> posted = new java.util.ArrayList<>();

    private boolean startedMessageOf(String report) {
        posted.addAll(messages.readValuesToList());
        String instance = InstanceIds.instanceId("e-" + report, "expense-approval");
        return posted.stream()
                .anyMatch(m ->
                        m.getInstanceId().equals(instance) && m.getMessageName().equals("WorkflowStarted"));
    }

    /** Record time; what counts is processing time, the later of it and the driver's wall clock. */
    private Instant now() {
        return START;
    }

    private static Acknowledgement ack(String instance, String messageId, boolean succeed) {
        return Acknowledgement.newBuilder()
                .setMessageId(messageId)
                .setReplyToken(Fixtures.TOKEN)
                .setInstanceId(instance)
                .setOutcome(succeed ? Outcome.SUCCEEDED : Outcome.FAILED)
                .setError(succeed ? null : new AckError("Rejected", "the approver rejected it", null))
                .setOutput(Map.of())
                .build();
    }
}
