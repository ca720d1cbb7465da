package dev.loopline.systemtests.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.loopline.runtime.domain.InstanceIds;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.function.ToLongFunction;
import java.util.stream.Collectors;
import org.awaitility.core.ConditionTimeoutException;

/** What every chaos experiment ends with: the load stops, the instances drain, and the auditor's counts are judged. */
final class ChaosOutcome {

    private ChaosOutcome() {}

    /** Until this many more instances have completed and, after a fault, every partition has completed one. */
    static void awaitProgress(ChaosAuditor auditor, int instances, long fault) {
        long target = auditor.completedCount() + instances;
        await().atMost(Duration.ofMinutes(5))
                .pollInterval(Duration.ofMillis(250))
                .until(() -> auditor.completedCount() >= target
                        && (fault == Long.MIN_VALUE || auditor.everyPartitionCompletedSince(fault)));
    }

    /**
     * After a fault has been repaired: waits for {@link #awaitProgress} and records each partition's
     * stall since the fault.
     */
    static void recordRecovery(
            ChaosReport report, ChaosAuditor auditor, int between, long fault, String experiment, String detail) {
        awaitProgress(auditor, between, fault);
        report.fault(ChaosReport.Fault.of(experiment, detail, auditor.stallsAfter(fault)));
    }

    /**
     * Stops the load, waits for every accepted event's instance to complete, prints and writes the
     * report, and fails on anything lost, stuck, doubled or dead-lettered.
     */
    static void judge(
            ChaosReport report,
            ChaosAuditor auditor,
            EventLoad load,
            String definition,
            Path dir,
            LongSupplier handled,
            ToLongFunction<String> logMentions) {
        load.stop();
        await().atMost(Duration.ofMinutes(1)).until(load::answeredAll);
        Set<String> accepted = load.accepted();
        Set<String> expected = accepted.stream()
                .map(id -> InstanceIds.instanceId(id, definition))
                .collect(Collectors.toSet());
        try {
            await().atMost(Duration.ofMinutes(3))
                    .pollInterval(Duration.ofMillis(500))
                    .until(() -> expected.stream().allMatch(auditor::completed));
        } catch (ConditionTimeoutException e) {
            // counted as stuck below
        }
        long started = expected.stream().filter(auditor::started).count();
        long completed = expected.stream().filter(auditor::completed).count();
        long succeeded = expected.stream()
                .filter(id -> Integer.valueOf(30).equals(auditor.finalStatus(id)))
                .count();
        Set<String> others = auditor.instances();
        others.removeAll(expected);
        report.total("events preloaded (straight to the topic)", load.preloaded());
        report.total("events sent (through the gateway)", load.sent());
        report.total("events accepted (202, and preloaded)", accepted.size());
        report.total("answers other than 202", load.refused());
        report.total("instances started", started);
        report.total("instances completed", completed);
        report.total("instances succeeded", succeeded);
        report.total("lost (accepted, never started)", accepted.size() - started);
        report.total("stuck (started, not completed)", started - completed);
        report.total("instances of unanswered events", others.size());
        report.total("duplicate transitions", auditor.duplicateTransitions());
        report.total("messages posted twice", auditor.duplicateMessages());
        report.total("steps under two message ids", auditor.stepsUnderTwoIds());
        report.total("dead letters", auditor.deadLetters());
        report.total("TaskCorruptedException in runtime logs", logMentions.applyAsLong("TaskCorruptedException"));
        for (String experiment : report.faults().stream()
                .map(ChaosReport.Fault::experiment)
                .distinct()
                .toList()) {
            long worst = report.faults().stream()
                    .filter(fault -> fault.experiment().equals(experiment))
                    .mapToLong(ChaosReport.Fault::worstMillis)
                    .max()
                    .orElse(-1);
            report.total(
                    "worst stall after a " + experiment + " (s)",
                    worst < 0 ? "never" : String.format("%.1f", worst / 1000.0));
        }
        System.out.println(report.table());
        report.write(dir.resolve("report.json"));

        assertThat(accepted).isNotEmpty();
        assertThat(accepted.size() - started).as("lost").isZero();
        assertThat(started - completed).as("stuck").isZero();
        assertThat(succeeded).as("succeeded").isEqualTo(completed);
        assertThat(auditor.duplicateTransitions()).as("duplicate transitions").isZero();
        assertThat(auditor.duplicateMessages()).as("messages posted twice").isZero();
        assertThat(auditor.stepsUnderTwoIds()).as("steps under two message ids").isZero();
        assertThat(auditor.deadLetters())
                .as("dead letters: %s", auditor.deadLetterReasons())
                .isZero();
        assertThat(handled.getAsLong()).isGreaterThanOrEqualTo(2L * completed);
    }
}
