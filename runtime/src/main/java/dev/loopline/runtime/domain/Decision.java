package dev.loopline.runtime.domain;

import dev.loopline.api.internal.CorrelationCommand;
import dev.loopline.api.internal.InstanceRecord;
import dev.loopline.api.internal.ReleaseToken;
import dev.loopline.api.v1.InstanceTransition;
import dev.loopline.api.v1.WorkflowMessage;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What the state machine decided for one input, all to be committed together: the instance as it
 * must be stored, the messages to post, the transitions to publish, the waits to open or close at
 * the correlation half, the timers to set or cancel, and the dependency tokens completed jobs give
 * back; or that the instance is to be deleted. An ignored input changes nothing; a rejected one
 * changes nothing either, and is bad input that belongs in the dead-letter topic with its reason
 * (an acknowledgement that does not echo its message's reply token).
 */
public record Decision(
        Optional<InstanceRecord> next,
        List<WorkflowMessage> messages,
        List<InstanceTransition> transitions,
        List<CorrelationCommand> correlations,
        List<TimerChange> timers,
        List<ReleaseToken> releases,
        boolean delete,
        Optional<String> ignoredBecause,
        boolean rejected) {

    /** Set (or cancel) the timer of one wait. */
    public record TimerChange(Instant dueAt, String instanceId, String waitId, boolean set) {}

    public Decision(
            Optional<InstanceRecord> next,
            List<WorkflowMessage> messages,
            List<InstanceTransition> transitions,
            List<CorrelationCommand> correlations,
            List<TimerChange> timers,
            List<ReleaseToken> releases,
            boolean delete,
            Optional<String> ignoredBecause) {
        this(next, messages, transitions, correlations, timers, releases, delete, ignoredBecause, false);
    }

    public static Decision ignored(String reason) {
        return new Decision(
                Optional.empty(), List.of(), List.of(), List.of(), List.of(), List.of(), false, Optional.of(reason));
    }

    public static Decision rejected(String reason) {
        return new Decision(
                Optional.empty(),
                List.of(),
                List.of(),
                List.of(),
                List.of(),
                List.of(),
                false,
                Optional.of(reason),
                true);
    }

    public boolean isRejected() {
        return rejected;
    }

    public boolean isIgnored() {
        return ignoredBecause.isPresent();
    }
}
