package dev.loopline.runtime.topology;

import dev.loopline.api.internal.InstanceRecord;
import dev.loopline.api.internal.Wait;
import dev.loopline.api.internal.WaitKind;
import dev.loopline.api.v1.InstanceTransition;
import dev.loopline.api.v1.Step;
import dev.loopline.definition.step.StepTypes;
import dev.loopline.observability.LooplineMetric;
import dev.loopline.observability.LooplineMetrics;
import dev.loopline.runtime.domain.Decision;
import dev.loopline.runtime.domain.InstanceMachine;
import dev.loopline.runtime.domain.Status;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Records the runtime's share of {@link LooplineMetrics} from what the processors see: a decision
 * with the instance before it, a fired timer, a postponed or stopped start, a dead letter.
 *
 * <p>Counters count processing, not commits: after a crash, the records of an aborted transaction
 * are processed again and counted again. The query side's {@code loopline_instances} gauge counts
 * committed state.
 */
public final class LoopMetrics {

    private final MeterRegistry registry;
    /** The meters by metric and label values: a lookup here costs less than the registry's builders. */
    private final Map<Key, Counter> counters = new ConcurrentHashMap<>();

    private final Map<Key, Timer> timers = new ConcurrentHashMap<>();

    private record Key(LooplineMetric metric, List<String> labels) {}

    public LoopMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    private Counter counter(LooplineMetric metric, String... labels) {
        return counters.computeIfAbsent(new Key(metric, List.of(labels)), key -> metric.counter(registry, labels));
    }

    private Timer timer(LooplineMetric metric, String... labels) {
        return timers.computeIfAbsent(new Key(metric, List.of(labels)), key -> metric.timer(registry, labels));
    }

    /**
     * A decision about to be written: instances started and completed (from its transitions),
     * retries, and the time an instance spent at a step it waited in.
     *
     * @param before the instance before the input; null for a start
     */
    void decided(InstanceRecord before, Decision decision, long timestamp) {
        for (InstanceTransition transition : decision.transitions()) {
            String definition = transition.getDefinitionId();
            if (transition.getSequence() == 1) {
                counter(LooplineMetrics.INSTANCES_STARTED, definition).increment();
            }
            String outcome = outcome(transition.getStatusCode());
            if (outcome != null) {
                counter(LooplineMetrics.INSTANCES_COMPLETED, definition, outcome)
                        .increment();
            }
        }
        InstanceRecord after = decision.next().orElse(null);
        if (before == null || after == null || decision.delete()) {
            return;
        }
        if (after.getRetryCount() > before.getRetryCount()) {
            counter(LooplineMetrics.RETRIES, before.getDefinition().getId()).increment();
        }
        Wait wait = before.getWait();
        if (wait != null
                && (after.getWait() == null || !after.getWait().getWaitId().equals(wait.getWaitId()))) {
            timer(LooplineMetrics.STEP_DURATION, stepKind(before)).record(waited(before, timestamp));
        }
    }

    /** An acknowledgement is about to resume the instance that waited for it. */
    void acknowledged(InstanceRecord before, long timestamp) {
        Wait wait = before.getWait();
        if (wait != null && wait.getKind() == WaitKind.ACKNOWLEDGEMENT) {
            timer(LooplineMetrics.MESSAGE_ROUND_TRIP, messageName(before)).record(waited(before, timestamp));
        }
    }

    void timerFired(Instant dueAt, Instant now) {
        timer(LooplineMetrics.TIMER_LATENESS).record(Duration.between(dueAt, now));
    }

    void postponed(String definitionId) {
        counter(LooplineMetrics.POSTPONEMENTS, definitionId).increment();
    }

    void loopStopped(String definitionId) {
        counter(LooplineMetrics.LOOP_PROTECTION_TRIPS, definitionId).increment();
    }

    void operatorAction(String action, String outcome) {
        counter(LooplineMetrics.OPERATOR_ACTIONS, action.toLowerCase(Locale.ROOT), outcome)
                .increment();
    }

    /** A record went to the dead-letter topic: {@code unreadable}, {@code rejected} or {@code expired}. */
    public void deadLettered(String reason) {
        counter(LooplineMetrics.DEAD_LETTERS, reason).increment();
    }

    /** Since the instance last changed: for an instance left alone while it waits, the start of its wait. */
    private static Duration waited(InstanceRecord before, long timestamp) {
        return Duration.ofMillis(Math.max(0, timestamp - before.getUpdatedAt().toEpochMilli()));
    }

    private static String stepKind(InstanceRecord instance) {
        Step step = step(instance);
        return step == null ? "started" : StepTypes.typeOf(step);
    }

    private static String messageName(InstanceRecord instance) {
        Step step = step(instance);
        return step == null || step.getMessageName() == null
                ? InstanceMachine.STARTED_MESSAGE_NAME
                : step.getMessageName();
    }

    private static Step step(InstanceRecord instance) {
        int index = instance.getStepIndex();
        return index < 0 || index >= instance.getDefinition().getSteps().size()
                ? null
                : instance.getDefinition().getSteps().get(index);
    }

    private static String outcome(int statusCode) {
        if (statusCode == Status.SUCCEEDED.code()) {
            return "succeeded";
        }
        if (statusCode == Status.FAILED.code()) {
            return "failed";
        }
        if (statusCode == Status.CANCELED.code()) {
            return "canceled";
        }
        return null;
    }
}
