package dev.loopline.definition;

import dev.loopline.api.v1.EventWait;
import dev.loopline.api.v1.Step;
import dev.loopline.api.v1.WorkflowDefinition;
import dev.loopline.definition.expression.ExpressionException;
import dev.loopline.definition.expression.Expressions;
import dev.loopline.definition.json.FieldError;
import dev.loopline.definition.step.StepTypes;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * What a migration plan may map, checked the same way where the plan is submitted (the gateway,
 * with field errors) and where each instance is moved (the runtime, which refuses an instance the
 * plan does not fit). A plan maps the steps of the source version an instance may wait at to steps
 * of the target version; an instance continues at the target step's instruction, with the wait it
 * has.
 *
 * <p>Only steps whose wait carries over unchanged may be mapped: a step of the same type, waiting
 * for the same thing. Steps that create a task, approvals and parallel steps are not (their waits
 * hang on their place in the program); an instance waiting there stays where it is.
 */
public final class MigrationPlan {

    /** The step types an instance may be migrated from and to. */
    public static final Set<String> MIGRATABLE =
            Set.of("send-message", "upsert-entity", "wait-for-event", "delay", "call-workflow", "prompt");

    private MigrationPlan() {}

    /** The plan's errors, with field paths ({@code steps.<source step>}, {@code variables.<name>}); none if it fits. */
    public static List<FieldError> check(
            WorkflowDefinition source,
            WorkflowDefinition target,
            Map<String, String> steps,
            Map<String, String> variables) {
        List<FieldError> errors = new ArrayList<>();
        if (steps.isEmpty()) {
            errors.add(new FieldError("steps", "map at least one step of the source version to one of the target"));
        }
        Set<String> targets = new HashSet<>();
        steps.forEach((from, to) -> {
            String field = "steps." + from;
            OptionalInt fromPc = waitingInstruction(source, from);
            OptionalInt toPc = waitingInstruction(target, to);
            if (fromPc.isEmpty()) {
                errors.add(new FieldError(
                        field,
                        "version " + source.getVersion() + " has no step " + from
                                + " an instance can be migrated from (one of " + MIGRATABLE + ")"));
            } else if (toPc.isEmpty()) {
                errors.add(new FieldError(
                        field,
                        "version " + target.getVersion() + " has no step " + to
                                + " an instance can be migrated to (one of " + MIGRATABLE + ")"));
            } else {
                incompatibility(
                                source.getSteps().get(fromPc.getAsInt()),
                                target.getSteps().get(toPc.getAsInt()))
                        .ifPresent(why -> errors.add(new FieldError(field, why)));
            }
            if (!targets.add(to)) {
                errors.add(new FieldError(field, "two source steps map to " + to));
            }
        });
        variables.forEach((name, expression) -> {
            if (!name.matches("[A-Za-z_][A-Za-z0-9_]{0,63}")) {
                errors.add(new FieldError("variables." + name, "expected a variable name"));
            }
            try {
                Expressions.check(expression);
            } catch (ExpressionException e) {
                errors.add(new FieldError("variables." + name, e.getMessage()));
            }
        });
        return errors;
    }

    /** The instruction of step {@code name} an instance waits at, if the step is one of a migratable type. */
    public static OptionalInt waitingInstruction(WorkflowDefinition definition, String name) {
        List<Step> program = definition.getSteps();
        boolean[] apart = apart(program);
        for (int pc = 0; pc < program.size(); pc++) {
            Step step = program.get(pc);
            if (!apart[pc] && step.getName().equals(name) && MIGRATABLE.contains(StepTypes.typeOf(step))) {
                return OptionalInt.of(pc);
            }
        }
        return OptionalInt.empty();
    }

    /**
     * The instructions an instance cannot be moved to: those of a parallel step's branches (they run
     * with a branch table) and of compensations (they run from the compensation stack).
     */
    private static boolean[] apart(List<Step> program) {
        boolean[] apart = new boolean[program.size()];
        for (int pc = 0; pc < program.size(); pc++) {
            Step step = program.get(pc);
            if (step.getFork() != null && pc + 1 < program.size()) {
                // the branches, and the onTimeout steps, lie between the fork's jump and its target
                for (int i = pc + 2; i < program.get(pc + 1).getTarget() && i < program.size(); i++) {
                    apart[i] = true;
                }
            }
            if (step.getCompensation() >= 0) {
                for (int i = step.getCompensation(); i < program.size(); i++) {
                    apart[i] = true;
                    if ("end-compensation".equals(StepTypes.typeOf(program.get(i)))) {
                        break;
                    }
                }
            }
        }
        return apart;
    }

    /** Why an instance waiting at {@code from} cannot wait at {@code to} instead; empty when it can. */
    public static Optional<String> incompatibility(Step from, Step to) {
        String fromType = StepTypes.typeOf(from);
        String toType = StepTypes.typeOf(to);
        if (!fromType.equals(toType)) {
            return Optional.of("a " + fromType + " step cannot become a " + toType + " step");
        }
        EventWait before = from.getEvent();
        EventWait after = to.getEvent();
        if (before != null
                && (after == null
                        || !before.getEntityType().equals(after.getEntityType())
                        || !before.getKeyField().equals(after.getKeyField())
                        || !Set.copyOf(before.getMessageNames()).equals(Set.copyOf(after.getMessageNames())))) {
            return Optional.of("it waits for other events than " + from.getName() + " does");
        }
        if (from.getStartsDefinition() != null && !from.getStartsDefinition().equals(to.getStartsDefinition())) {
            return Optional.of("it calls " + to.getStartsDefinition() + ", not " + from.getStartsDefinition());
        }
        return Optional.empty();
    }
}
