package dev.loopline.runtime.domain;

import dev.loopline.api.internal.CorrelationCommand;
import dev.loopline.api.internal.InstanceCommand;
import dev.loopline.api.internal.InstanceRecord;
import dev.loopline.api.internal.ReleaseToken;
import dev.loopline.api.v1.InstanceTransition;
import dev.loopline.api.v1.PlatformEvent;
import dev.loopline.api.v1.WorkflowMessage;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What the state machine decided for one input, all to be committed together:
 *
 * <ul>
 *   <li>{@link Changed}: the instance as it must be stored, the messages to post, the transitions to
 *       publish, the waits to open or close at the correlation half, the timers to set or cancel,
 *       the dependency tokens completed jobs give back, the workflows it starts (on-demand start
 *       events) and its commands to other instances (a child's result, a parent's cancel);
 *   <li>{@link Deleted}: the instance is removed, with its timer;
 *   <li>{@link Ignored}: nothing the instance waits for (a duplicate, a stale timer): nothing changes;
 *   <li>{@link Rejected}: bad input that belongs in the dead-letter topic with its reason (an
 *       acknowledgement that does not echo its message's reply token): nothing changes either.
 * </ul>
 *
 * The accessors below read every kind alike (an ignored decision has no messages), for the writer
 * that carries a decision out and for tests.
 */
public sealed interface Decision permits Decision.Changed, Decision.Deleted, Decision.Ignored, Decision.Rejected {

    /** Set (or cancel) the timer of one wait. */
    record TimerChange(Instant dueAt, String instanceId, String waitId, boolean set) {}

    /** The instance changed. */
    record Changed(
            InstanceRecord instance,
            List<WorkflowMessage> messages,
            List<InstanceTransition> transitions,
            List<CorrelationCommand> correlations,
            List<TimerChange> timers,
            List<ReleaseToken> releases,
            List<PlatformEvent> starts,
            List<InstanceCommand> commands)
            implements Decision {

        public Changed {
            messages = List.copyOf(messages);
            transitions = List.copyOf(transitions);
            correlations = List.copyOf(correlations);
            timers = List.copyOf(timers);
            releases = List.copyOf(releases);
            starts = List.copyOf(starts);
            commands = List.copyOf(commands);
        }

        /** The instance changed without any effect (an event its wait's condition let pass). */
        static Changed quietly(InstanceRecord instance) {
            return new Changed(instance, List.of(), List.of(), List.of(), List.of(), List.of(), List.of(), List.of());
        }

        @Override
        public Optional<InstanceRecord> next() {
            return Optional.of(instance);
        }
    }

    /** The instance is removed: its store entry, its timer and, through a tombstone, its read models. */
    record Deleted(InstanceRecord instance, List<TimerChange> timers) implements Decision {

        public Deleted {
            timers = List.copyOf(timers);
        }

        @Override
        public Optional<InstanceRecord> next() {
            return Optional.of(instance);
        }
    }

    /** The input is not one the instance waits for. */
    record Ignored(String reason) implements Decision {}

    /** The input is bad, and goes to the dead-letter topic with this reason. */
    record Rejected(String reason) implements Decision {}

    static Decision ignored(String reason) {
        return new Ignored(reason);
    }

    static Decision rejected(String reason) {
        return new Rejected(reason);
    }

    /** The instance to store (or, deleted, the one removed); empty when nothing changes. */
    default Optional<InstanceRecord> next() {
        return Optional.empty();
    }

    default List<WorkflowMessage> messages() {
        return this instanceof Changed changed ? changed.messages() : List.of();
    }

    default List<InstanceTransition> transitions() {
        return this instanceof Changed changed ? changed.transitions() : List.of();
    }

    default List<CorrelationCommand> correlations() {
        return this instanceof Changed changed ? changed.correlations() : List.of();
    }

    default List<TimerChange> timers() {
        if (this instanceof Changed changed) {
            return changed.timers();
        }
        return this instanceof Deleted deleted ? deleted.timers() : List.of();
    }

    default List<ReleaseToken> releases() {
        return this instanceof Changed changed ? changed.releases() : List.of();
    }

    /** On-demand start events of the workflows a start-workflow step starts. */
    default List<PlatformEvent> starts() {
        return this instanceof Changed changed ? changed.starts() : List.of();
    }

    /** Commands to other instances: a completed child's result for its parent, a cancel for a parent's child. */
    default List<InstanceCommand> commands() {
        return this instanceof Changed changed ? changed.commands() : List.of();
    }

    default boolean delete() {
        return this instanceof Deleted;
    }

    /** Whether nothing changes: an ignored input, or a rejected one. */
    default boolean isIgnored() {
        return this instanceof Ignored || this instanceof Rejected;
    }

    default boolean isRejected() {
        return this instanceof Rejected;
    }

    /** Why nothing changes, for an ignored or rejected input. */
    default Optional<String> ignoredBecause() {
        if (this instanceof Ignored ignored) {
            return Optional.of(ignored.reason());
        }
        return this instanceof Rejected rejected ? Optional.of(rejected.reason()) : Optional.empty();
    }
}
