package dev.loopline.runtime.domain;

import dev.loopline.api.internal.InstanceRecord;
import dev.loopline.api.internal.OperatorCommand;
import dev.loopline.api.internal.WaitKind;
import dev.loopline.api.v1.InstanceState;
import java.time.Instant;
import java.util.Locale;

/** What operators may do to an instance, and from which states. */
final class OperatorActions {

    private final InstanceMachine machine;
    private final Migrations migrations;

    OperatorActions(InstanceMachine machine) {
        this.machine = machine;
        this.migrations = new Migrations(machine);
    }

    /**
     * An operator's action, with Dynamics' validity rules:
     *
     * <ul>
     *   <li>cancel, from Ready, Suspended or Locked: Locked/22 Canceling → Completed/32 Canceled; the
     *       instance's wait, timer and correlation entry are removed. With {@code compensate}, the
     *       steps that succeeded are undone first, newest first, and the instance ends Canceled after
     *       the last compensation;
     *   <li>pause, from Locked: 21 Pausing → Suspended. An instance is Locked only while the runtime
     *       processes one of its inputs, and commands are processed between inputs, so a pause is
     *       refused unless the instance is Locked when it arrives;
     *   <li>resume, from Suspended: → Ready → the current step runs again (a new attempt: a new
     *       message id, the wait reopened, retries reset); in a parallel step, the current step of
     *       each open branch does. An instance waiting for a child workflow is not resumed;
     *   <li>postpone, from Ready or Locked, until a later time: the job waits in Ready until then;
     *   <li>migrate, from Ready or Suspended, to another version of the definition (see {@link
     *       Migrations}).
     * </ul>
     */
    OperatorOutcome operate(InstanceRecord current, OperatorCommand command, Instant now) {
        InstanceState state = current.getState();
        String note = command.getNote() == null ? "" : " (" + InstanceLimits.cap(command.getNote(), 500) + ")";
        switch (command.getAction()) {
            case CANCEL -> {
                if (state == InstanceState.COMPLETED) {
                    return OperatorOutcome.refused(refusal("cancel", current, "Ready, Suspended or Locked"));
                }
                if (command.getCompensate() && current.getCompensatingFor() != null) {
                    return OperatorOutcome.refused("cannot cancel " + current.getInstanceId()
                            + " with compensation: it is compensating already; cancel without compensation to stop");
                }
                Run run = machine.leave(current, now, command);
                run.moveTo(Status.CANCELING, "cancel requested by an operator" + note);
                run.cancelChild(command);
                run.closeWait();
                Parallel.close(run, "canceled by an operator", command, -1);
                if (command.getCompensate() && run.compensate("canceled by an operator" + note, true)) {
                    return new OperatorOutcome(machine.finish(run), true, "canceling: compensating");
                }
                run.moveTo(Status.CANCELED, "canceled by an operator" + note);
                return new OperatorOutcome(machine.finish(run), true, "canceled");
            }
            case PAUSE -> {
                if (state != InstanceState.LOCKED) {
                    return OperatorOutcome.refused(
                            refusal("pause", current, "Locked") + "; postpone or cancel it instead");
                }
                Run run = machine.leave(current, now, command);
                run.moveTo(Status.PAUSING, "pause requested by an operator" + note);
                run.closeWait();
                Parallel.close(run, "paused by an operator", command, -1);
                run.moveTo(Status.WAITING, "paused by an operator" + note);
                return new OperatorOutcome(machine.finish(run), true, "paused");
            }
            case RESUME -> {
                if (state != InstanceState.SUSPENDED) {
                    return OperatorOutcome.refused(refusal("resume", current, "Suspended"));
                }
                if (current.getWait() != null && current.getWait().getKind() == WaitKind.CHILD) {
                    // running the step again would start a second child beside the first
                    return OperatorOutcome.refused("cannot resume " + current.getInstanceId()
                            + ": it waits for child workflow "
                            + current.getWait().getChildInstanceId()
                            + ", which ends the wait; cancel it instead");
                }
                String child = Parallel.onlyChildren(current);
                if (child != null) {
                    return OperatorOutcome.refused("cannot resume " + current.getInstanceId()
                            + ": its open branches wait for child workflows (" + child
                            + ", …), which end their waits; cancel it instead");
                }
                Run run = machine.leave(current, now, command);
                run.moveTo(Status.WAITING_FOR_RESOURCES, "resumed by an operator" + note);
                if (current.getParallel() != null) {
                    run.moveTo(Status.IN_PROGRESS, "restarting the open branches of " + InstanceMachine.where(current));
                    Parallel.resumeBranches(run);
                    return new OperatorOutcome(machine.finish(run), true, "resumed");
                }
                run.moveTo(Status.IN_PROGRESS, "restarting " + InstanceMachine.where(current));
                run.closeWait();
                run.instance.setRetryCount(0);
                machine.rerun(run, current.getStepIndex());
                return new OperatorOutcome(machine.finish(run), true, "resumed");
            }
            case POSTPONE -> {
                if (state != InstanceState.READY && state != InstanceState.LOCKED) {
                    return OperatorOutcome.refused(refusal("postpone", current, "Ready or Locked"));
                }
                if (current.getParallel() != null) { // never stored Ready or Locked: a guard, should that change
                    return OperatorOutcome.refused("cannot postpone " + current.getInstanceId()
                            + " while its parallel step is open; pause or cancel it instead");
                }
                if (current.getWait() != null && current.getWait().getKind() == WaitKind.TOKEN) {
                    return OperatorOutcome.refused(
                            "the job is queued behind an earlier job on " + current.getDependencyToken()
                                    + " and starts when that one completes; postpone that job instead");
                }
                Instant until = command.getPostponeUntil();
                if (until == null || !until.isAfter(now)) {
                    return OperatorOutcome.refused("postpone needs a postponeUntil after " + now);
                }
                Run run = machine.leave(current, now, command);
                run.closeWait();
                run.waitForRetry(until, "postponed until " + until + " by an operator" + note);
                return new OperatorOutcome(machine.finish(run), true, "postponed until " + until);
            }
            case DELETE -> {
                if (state != InstanceState.COMPLETED) {
                    return OperatorOutcome.refused(refusal("delete", current, "Completed"));
                }
                return new OperatorOutcome(InstanceMachine.deletion(current), true, "deleted");
            }
            case MIGRATE -> {
                return migrations.migrate(current, command, now);
            }
            default -> {
                return OperatorOutcome.refused("unknown action " + command.getAction());
            }
        }
    }

    private static String refusal(String action, InstanceRecord current, String allowed) {
        Status status = Status.ofCode(current.getStatusCode());
        return "cannot " + action + " an instance that is " + current.getState() + " (" + current.getStatusCode() + " "
                + status.name().toLowerCase(Locale.ROOT).replace('_', ' ') + "): " + action
                + " applies to " + allowed + " instances";
    }
}
