package dev.loopline.runtime.domain;

import dev.loopline.api.internal.CloseWait;
import dev.loopline.api.internal.CorrelationCommand;
import dev.loopline.api.internal.InstanceRecord;
import dev.loopline.api.internal.Migration;
import dev.loopline.api.internal.OpenWait;
import dev.loopline.api.internal.OperatorCommand;
import dev.loopline.api.internal.Wait;
import dev.loopline.api.internal.WaitKind;
import dev.loopline.api.v1.InstanceState;
import dev.loopline.api.v1.Step;
import dev.loopline.api.v1.WorkflowDefinition;
import dev.loopline.definition.MigrationPlan;
import dev.loopline.definition.expression.ExpressionException;
import dev.loopline.definition.step.StepContext;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeMap;

/**
 * Moves one instance to another version of its definition, as a migration plan says (see {@link
 * MigrationPlan}): in one decision the snapshot is swapped, the program counter remapped, the
 * compensations it recorded remapped, the plan's variables set, and the wait kept, with its timer;
 * an event wait whose key the new step computes differently is re-registered under the new key.
 * An instance suspended without a wait (by its failure policy, or paused) moves too, and a resume
 * runs the new step. The change is a transition, in the state the instance was in, that names the
 * migration; from then on the ids of its messages, tasks and children carry how many times it was
 * migrated, so that none repeats one of the old program's. An instance the plan does not fit (Locked,
 * Completed, another version, at a step the plan does not map, in a parallel step) is refused with
 * the reason, and left as it is.
 */
final class Migrations {

    private final InstanceMachine machine;

    Migrations(InstanceMachine machine) {
        this.machine = machine;
    }

    OperatorOutcome migrate(InstanceRecord current, OperatorCommand command, Instant now) {
        Migration migration = command.getMigration();
        if (migration == null) {
            return OperatorOutcome.refused("migrate needs a migration");
        }
        WorkflowDefinition source = current.getDefinition();
        WorkflowDefinition target = migration.getTarget();
        Optional<String> refused = refusal(current, migration);
        if (refused.isPresent()) {
            return OperatorOutcome.refused("not migrated: " + refused.get());
        }
        Step from = source.getSteps().get(current.getStepIndex());
        String toName = migration.getSteps().get(from.getName());
        int toPc = MigrationPlan.waitingInstruction(target, toName).getAsInt();
        List<Integer> compensations = new ArrayList<>();
        for (int start : current.getCompensations()) {
            OptionalInt mapped = compensation(source, start, target, migration.getSteps());
            if (mapped.isEmpty()) {
                return OperatorOutcome.refused("not migrated: version " + target.getVersion()
                        + " has no compensation for a step that succeeded (its compensation starts at #" + start + ")");
            }
            compensations.add(mapped.getAsInt());
        }
        Run run = machine.leave(current, now, command);
        Wait wait = current.getWait();
        run.setTimer(wait); // leaving the wait cancelled its timer: the wait stays
        // the plan's variables, each from the instance's variables as they were
        StepContext before = machine.context(run, current.getStepIndex());
        try {
            Map<String, Object> values = new TreeMap<>();
            migration.getVariables().forEach((name, expression) -> values.put(name, before.value(expression)));
            values.forEach(before::setVariable);
        } catch (ExpressionException | InstanceLimits.Exceeded e) {
            return OperatorOutcome.refused("not migrated: variable mapping failed: " + e.getMessage());
        }
        run.instance.setDefinition(target);
        run.instance.setStepIndex(toPc);
        run.instance.setCompensations(compensations);
        run.instance.setMigrations(current.getMigrations() + 1);
        Step to = target.getSteps().get(toPc);
        if (wait != null && wait.getKind() == WaitKind.EVENT) {
            String key;
            try {
                key = CorrelationKeys.of(
                        to.getEvent().getEntityType(),
                        to.getEvent().getKeyField(),
                        machine.context(run, toPc).key(to.getEvent().getKeyExpression()));
            } catch (ExpressionException e) {
                return OperatorOutcome.refused("not migrated: the new step's key failed: " + e.getMessage());
            }
            if (!key.equals(wait.getCorrelationKey())) {
                run.correlations.add(new CorrelationCommand(
                        wait.getCorrelationKey(), new CloseWait(current.getInstanceId(), wait.getWaitId())));
                run.correlations.add(new CorrelationCommand(
                        key, new OpenWait(current.getInstanceId(), wait.getWaitId(), wait.getMessageNames())));
                run.instance.setWait(
                        Wait.newBuilder(wait).setCorrelationKey(key).build());
            }
        }
        String why = "migrated from version " + source.getVersion() + " to " + target.getVersion()
                + " by migration " + migration.getMigrationId() + ": step " + from.getName()
                + (from.getName().equals(toName) ? "" : " → " + toName);
        run.moveTo(
                current.getState() == InstanceState.READY ? Status.WAITING_FOR_RESOURCES : Status.WAITING,
                InstanceLimits.cap(why, InstanceLimits.MAX_TEXT_CHARS),
                waitingFor(wait, to));
        Optional<String> over = machine.limits().exceeded(run.instance, run.messages);
        if (over.isPresent()) { // refused, rather than failed: the instance is as it was
            return OperatorOutcome.refused("not migrated: the instance would be over a limit: " + over.get());
        }
        return new OperatorOutcome(machine.finish(run), true, "migrated to version " + target.getVersion());
    }

    /** Why the plan does not fit this instance now, if it does not. */
    static Optional<String> refusal(InstanceRecord current, Migration migration) {
        WorkflowDefinition source = current.getDefinition();
        WorkflowDefinition target = migration.getTarget();
        if (!source.getId().equals(target.getId())) {
            return Optional.of("it runs " + source.getId() + ", not " + target.getId());
        }
        if (source.getVersion() != migration.getSourceVersion()) {
            return Optional.of("it runs version " + source.getVersion() + ", not " + migration.getSourceVersion());
        }
        if (current.getState() != InstanceState.SUSPENDED && current.getState() != InstanceState.READY) {
            return Optional.of("it is " + current.getState() + "; only Ready and Suspended instances are migrated");
        }
        if (current.getParallel() != null) {
            return Optional.of("it is in a parallel step");
        }
        if (current.getCompensatingFor() != null) {
            return Optional.of("it is compensating");
        }
        Wait wait = current.getWait();
        if (current.getStepIndex() < 0
                || (wait != null && (wait.getKind() == WaitKind.TOKEN || wait.getKind() == WaitKind.POSTPONED))) {
            return Optional.of("it has not started its steps");
        }
        Step from = source.getSteps().get(current.getStepIndex());
        String toName = migration.getSteps().get(from.getName());
        if (toName == null) {
            return Optional.of("it waits at step " + from.getName() + ", which the plan does not map");
        }
        OptionalInt toPc = MigrationPlan.waitingInstruction(target, toName);
        if (toPc.isEmpty()
                || MigrationPlan.waitingInstruction(source, from.getName()).orElse(-1) != current.getStepIndex()) {
            return Optional.of("step " + from.getName() + " cannot be mapped to " + toName);
        }
        return MigrationPlan.incompatibility(from, target.getSteps().get(toPc.getAsInt()));
    }

    /**
     * Where the compensation that starts at {@code start} in the source starts in the target: the
     * compensation of the step the plan maps it to, or of the step of the same name.
     */
    private static OptionalInt compensation(
            WorkflowDefinition source, int start, WorkflowDefinition target, Map<String, String> steps) {
        for (Step step : source.getSteps()) {
            if (step.getCompensation() == start) {
                String name = steps.getOrDefault(step.getName(), step.getName());
                for (Step candidate : target.getSteps()) {
                    if (candidate.getName().equals(name) && candidate.getCompensation() >= 0) {
                        return OptionalInt.of(candidate.getCompensation());
                    }
                }
            }
        }
        return OptionalInt.empty();
    }

    /** What the instance waits for, in its transitions, at its new step. */
    private static List<String> waitingFor(Wait wait, Step to) {
        if (wait == null) {
            return List.of();
        }
        return switch (wait.getKind()) {
            case ACKNOWLEDGEMENT -> List.of(InstanceMachine.WAITING_FOR_MESSAGE + to.getMessageName());
            case EVENT ->
                wait.getMessageNames().stream()
                        .map(name -> InstanceMachine.WAITING_FOR_EVENT + name)
                        .toList();
            case TIMER -> List.of(InstanceMachine.WAITING_FOR_TIMER);
            case CHILD -> List.of(InstanceMachine.WAITING_FOR_WORKFLOW + to.getStartsDefinition());
            default -> List.of();
        };
    }
}
