package dev.loopline.runtime.domain;

import dev.loopline.api.internal.BranchState;
import dev.loopline.api.internal.BranchStatus;
import dev.loopline.api.internal.CloseWait;
import dev.loopline.api.internal.CorrelationCommand;
import dev.loopline.api.internal.InstanceCommand;
import dev.loopline.api.internal.InstanceRecord;
import dev.loopline.api.internal.OperatorAction;
import dev.loopline.api.internal.OperatorCommand;
import dev.loopline.api.internal.ParallelState;
import dev.loopline.api.internal.Wait;
import dev.loopline.api.internal.WaitKind;
import dev.loopline.api.v1.InstanceState;
import dev.loopline.api.v1.ParallelBranch;
import dev.loopline.api.v1.Step;
import dev.loopline.api.v1.WorkItem;
import dev.loopline.definition.expression.ExpressionException;
import dev.loopline.definition.step.Next;
import dev.loopline.definition.step.StepTypes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Parallel branches. While a parallel step is open, the instance's program counter is the step's
 * and its one wait is the join ({@link WaitKind#JOIN}, with the step's timeout); each branch keeps
 * a program counter, a wait, retries and attempts of its own in {@link ParallelState}.
 *
 * <p>The rest of the machine knows one program counter and one wait, and keeps doing so: an input
 * that ends a branch's wait (its acknowledgement, event, timer, child) is applied to a <em>view</em>
 * of the instance with that branch's state in the instance's fields ({@link #focus}), by the same
 * code as any other input. Before the decision is committed, {@link #settle} puts the branch's
 * state back, restores the join, and evaluates it:
 *
 * <ul>
 *   <li>enough branches succeeded: the branches still open are canceled and the program goes on
 *       after the step;
 *   <li>too many failed for the join to be met: the open ones are canceled and the step fails (a
 *       failure inside a branch fails its branch, not the instance);
 *   <li>otherwise the instance stays Suspended, waiting for what its open branches wait for.
 * </ul>
 *
 * Canceling a branch removes its wait's timer and correlation entry and cancels the child
 * workflow it waits for. A stop step inside a branch ends the instance, and with it every branch.
 */
final class Parallel {

    private Parallel() {}

    /** The id under which a view's branch, or the instance, records an event it consumed. */
    static String consumedId(InstanceRecord instance, String eventId) {
        return inBranch(instance)
                ? instance.getParallel()
                                .getBranches()
                                .get(instance.getParallel().getActive())
                                .getName() + "/" + eventId
                : eventId;
    }

    /** Whether the instance is a view of one of its branches. */
    static boolean inBranch(InstanceRecord instance) {
        ParallelState parallel = instance.getParallel();
        return parallel != null && parallel.getActive() >= 0;
    }

    /**
     * The instance as the input that ends a wait must see it: itself, if it has no open parallel
     * step or the input ends its own wait; else a view of the open branch whose wait it ends; else
     * itself (and the input finds nothing to end).
     */
    static InstanceRecord focus(InstanceRecord current, Predicate<Wait> ends) {
        ParallelState parallel = current.getParallel();
        if (parallel == null || (current.getWait() != null && ends.test(current.getWait()))) {
            return current;
        }
        List<BranchState> branches = parallel.getBranches();
        for (int i = 0; i < branches.size(); i++) {
            BranchState branch = branches.get(i);
            if (branch.getStatus() == BranchStatus.OPEN && branch.getWait() != null && ends.test(branch.getWait())) {
                InstanceRecord view = InstanceMachine.copyOf(current);
                enter(view, i);
                return view;
            }
        }
        return current;
    }

    /** Puts branch {@code index}'s state into the instance's fields (the instance is a copy to change). */
    private static void enter(InstanceRecord instance, int index) {
        ParallelState parallel = instance.getParallel();
        BranchState branch = parallel.getBranches().get(index);
        instance.setParallel(ParallelState.newBuilder(parallel).setActive(index).build());
        instance.setStepIndex(branch.getStepIndex());
        instance.setWait(branch.getWait());
        instance.setRetryCount(branch.getRetryCount());
        instance.setStepAttempt(branch.getStepAttempt());
    }

    /** The stored form of a view: the branch's state back in its place, the join in the instance's. */
    static InstanceRecord stored(InstanceRecord instance) {
        if (!inBranch(instance)) {
            return instance;
        }
        InstanceRecord stored = InstanceMachine.copyOf(instance);
        leave(stored, branch -> branch);
        return stored;
    }

    /**
     * Moves the active branch's state from the instance's fields back to its place, as {@code
     * outcome} makes it, and restores the join's.
     */
    private static void leave(InstanceRecord instance, java.util.function.UnaryOperator<BranchState.Builder> outcome) {
        ParallelState parallel = instance.getParallel();
        int index = parallel.getActive();
        List<BranchState> branches = new ArrayList<>(parallel.getBranches());
        BranchState.Builder branch = BranchState.newBuilder(branches.get(index))
                .setStepIndex(instance.getStepIndex())
                .setWait(instance.getWait())
                .setRetryCount(instance.getRetryCount())
                .setStepAttempt(instance.getStepAttempt());
        branches.set(index, outcome.apply(branch).build());
        instance.setParallel(ParallelState.newBuilder(parallel)
                .setActive(-1)
                .setBranches(branches)
                .build());
        instance.setStepIndex(parallel.getStep());
        instance.setWait(parallel.getJoin());
        instance.setRetryCount(0);
        instance.setStepAttempt(parallel.getAttempt());
    }

    /**
     * Opens a parallel step: the join wait (with the step's timeout), then each branch from its
     * start until it waits or ends, in document order, until the join is decided (the branches left
     * then never start, and count as canceled).
     */
    static void fork(Run run, Step step) {
        InstanceRecord instance = run.instance;
        Wait join = Wait.newBuilder()
                .setWaitId(run.nextWaitId())
                .setKind(WaitKind.JOIN)
                .setDueAt(step.getTimeoutMillis() == null ? null : run.now.plusMillis(step.getTimeoutMillis()))
                .build();
        run.setTimer(join);
        List<BranchState> branches = new ArrayList<>();
        for (ParallelBranch branch : step.getFork().getBranches()) {
            branches.add(BranchState.newBuilder()
                    .setName(branch.getName())
                    .setStepIndex(branch.getStart())
                    .setStepAttempt(instance.getStepAttempt())
                    .build());
        }
        instance.setParallel(ParallelState.newBuilder()
                .setStep(instance.getStepIndex())
                .setJoin(join)
                .setAttempt(instance.getStepAttempt())
                .setBranches(branches)
                .build());
        instance.setWait(join);
        for (int i = 0; i < branches.size(); i++) {
            enter(instance, i);
            run.machine.run(run, instance.getStepIndex());
            if (instance.getState() == InstanceState.COMPLETED) {
                settle(run); // a stop step in the branch ended the instance
                return;
            }
            leaveBranch(run);
            if (i < branches.size() - 1 && decided(run)) {
                return; // the branches left never start: they count as canceled
            }
        }
        join(run);
    }

    /**
     * After an input was applied to a branch's view: the branch's state back in its place, and the
     * join evaluated. A no-op for an instance that is not a view.
     */
    static void settle(Run run) {
        InstanceRecord instance = run.instance;
        if (!inBranch(instance)) {
            return;
        }
        if (instance.getState() == InstanceState.COMPLETED) {
            // a stop step in the branch ended the instance: every other branch ends with it
            ParallelState parallel = instance.getParallel();
            instance.setParallel(
                    ParallelState.newBuilder(parallel).setActive(-1).build());
            close(run, "the instance completed", null, parallel.getActive());
            run.cancelTimer(parallel.getJoin());
            instance.setParallel(null);
            return;
        }
        leaveBranch(run);
        join(run);
    }

    private static void leaveBranch(Run run) {
        String failure = run.branchFailure;
        boolean ended = run.branchEnded;
        String result = run.branchResult;
        String waiting = run.branchWaiting;
        List<String> waitingFor = run.branchWaitingFor;
        run.branchFailure = null;
        run.branchEnded = false;
        run.branchResult = null;
        run.branchWaiting = null;
        run.branchWaitingFor = List.of();
        leave(run.instance, branch -> {
            if (failure != null) {
                return branch.setStatus(BranchStatus.FAILED)
                        .setReason(InstanceLimits.cap(failure, InstanceLimits.MAX_TEXT_CHARS))
                        .setWait(null)
                        .setWorkItem(null);
            }
            if (ended) {
                return branch.setStatus(BranchStatus.SUCCEEDED)
                        .setResult(result)
                        .setWait(null)
                        .setWorkItem(null);
            }
            return branch.setWaiting(
                            waiting == null ? null : InstanceLimits.cap(waiting, InstanceLimits.MAX_TEXT_CHARS))
                    .setWaitingFor(waitingFor);
        });
    }

    /**
     * Asks the parallel step whether its join is decided (see {@link
     * dev.loopline.definition.step.StepBehavior#join}): if so, the open branches are canceled and
     * the program goes where the step says, in the instance's own context (a failure there fails the
     * instance as any step's does); if not, the instance waits for what its open branches wait for.
     */
    private static void join(Run run) {
        if (decided(run)) {
            return;
        }
        InstanceRecord instance = run.instance;
        ParallelState parallel = instance.getParallel();
        Step step = run.step(parallel.getStep());
        List<String> what = new ArrayList<>();
        Set<String> waitingFor = new LinkedHashSet<>();
        for (BranchState branch : parallel.getBranches()) {
            if (branch.getStatus() == BranchStatus.OPEN) {
                what.add(branch.getName() + " (" + (branch.getWaiting() == null ? "open" : branch.getWaiting()) + ")");
                waitingFor.addAll(branch.getWaitingFor());
            }
        }
        run.moveTo(
                Status.WAITING,
                InstanceLimits.cap(
                        "waiting for the join of step " + step.getName() + ": branches " + String.join(", ", what),
                        InstanceLimits.MAX_TEXT_CHARS),
                List.copyOf(waitingFor));
    }

    /**
     * Whether the join is decided; if it is, the open branches are canceled and the program goes on
     * as the step says.
     */
    private static boolean decided(Run run) {
        InstanceRecord instance = run.instance;
        ParallelState parallel = instance.getParallel();
        Step step = run.step(parallel.getStep());
        Optional<Next> decided;
        try {
            decided = StepTypes.behaviorOf(step)
                    .join(step, run.machine.context(run, parallel.getStep()), parallel.getBranches());
        } catch (ExpressionException e) {
            decided = Optional.of(Next.fail(e.getMessage()));
        }
        if (decided.isPresent()) {
            close(run, "the join of step " + step.getName() + " was decided", null, -1);
            run.cancelTimer(parallel.getJoin());
            instance.setWait(null);
            if (decided.get() instanceof Next.GoTo go) {
                run.execute(go.pc(), run.machine);
            } else if (decided.get() instanceof Next.Fail failure) {
                run.fail("step " + step.getName() + ": " + failure.reason());
            }
            return true;
        }
        return false;
    }

    /** The open work items of the open parallel step's branches (an approval's), for the transitions. */
    static List<WorkItem> workItems(InstanceRecord instance) {
        ParallelState parallel = instance.getParallel();
        if (parallel == null) {
            return List.of();
        }
        List<WorkItem> items = new ArrayList<>();
        for (BranchState branch : parallel.getBranches()) {
            if (branch.getStatus() == BranchStatus.OPEN && branch.getWorkItem() != null) {
                items.add(branch.getWorkItem());
            }
        }
        return items;
    }

    /** The work item of the branch being run, or null. */
    static WorkItem workItem(InstanceRecord instance) {
        return inBranch(instance)
                ? instance.getParallel()
                        .getBranches()
                        .get(instance.getParallel().getActive())
                        .getWorkItem()
                : null;
    }

    /** Sets the work item of the branch being run, its texts cut to the instance's text limit. */
    static void assign(InstanceRecord instance, WorkItem given) {
        WorkItem item = WorkItem.newBuilder(given)
                .setAssignee(InstanceLimits.cap(given.getAssignee(), InstanceLimits.MAX_TEXT_CHARS))
                .setSubject(
                        given.getSubject() == null
                                ? null
                                : InstanceLimits.cap(given.getSubject(), InstanceLimits.MAX_TEXT_CHARS))
                .setDelegatedFrom(
                        given.getDelegatedFrom() == null
                                ? null
                                : InstanceLimits.cap(given.getDelegatedFrom(), InstanceLimits.MAX_TEXT_CHARS))
                .setEscalatedFrom(
                        given.getEscalatedFrom() == null
                                ? null
                                : InstanceLimits.cap(given.getEscalatedFrom(), InstanceLimits.MAX_TEXT_CHARS))
                .build();
        ParallelState parallel = instance.getParallel();
        List<BranchState> branches = new ArrayList<>(parallel.getBranches());
        branches.set(
                parallel.getActive(),
                BranchState.newBuilder(branches.get(parallel.getActive()))
                        .setWorkItem(item)
                        .build());
        instance.setParallel(
                ParallelState.newBuilder(parallel).setBranches(branches).build());
    }

    /**
     * Cancels the open branches of the open parallel step (but {@code except}, whose wait the caller
     * left): their timers and correlation entries are removed and the children they wait for are
     * canceled, with the operator's {@code cancel} if one asked. Each branch's status is recorded as
     * the step's output, and the instance no longer has an open parallel step.
     */
    static void close(Run run, String reason, OperatorCommand cancel, int except) {
        InstanceRecord instance = run.instance;
        ParallelState parallel = instance.getParallel();
        if (parallel == null) {
            return;
        }
        Map<String, Object> output = new HashMap<>();
        long succeeded = 0;
        long failed = 0;
        for (int i = 0; i < parallel.getBranches().size(); i++) {
            BranchState branch = parallel.getBranches().get(i);
            BranchStatus status = branch.getStatus();
            if (status == BranchStatus.OPEN && i != except) {
                closeWait(run, branch.getWait(), reason, cancel);
            }
            status = status == BranchStatus.OPEN ? BranchStatus.CANCELED : status;
            succeeded += status == BranchStatus.SUCCEEDED ? 1 : 0;
            failed += status == BranchStatus.FAILED ? 1 : 0;
            output.put(branch.getName(), branch.getResult() != null ? branch.getResult() : outcome(status));
        }
        output.put("succeeded", succeeded);
        output.put("failed", failed);
        instance.setParallel(null);
        run.recordOutput(run.step(parallel.getStep()).getName(), output);
    }

    private static String outcome(BranchStatus status) {
        return switch (status) {
            case SUCCEEDED -> "Succeeded";
            case FAILED -> "Failed";
            default -> "Canceled";
        };
    }

    private static void closeWait(Run run, Wait wait, String reason, OperatorCommand cancel) {
        if (wait == null) {
            return;
        }
        String instanceId = run.instance.getInstanceId();
        run.cancelTimer(wait);
        if (wait.getKind() == WaitKind.EVENT) {
            run.correlations.add(
                    new CorrelationCommand(wait.getCorrelationKey(), new CloseWait(instanceId, wait.getWaitId())));
        }
        if (wait.getKind() == WaitKind.CHILD) {
            OperatorCommand command = cancel != null
                    ? OperatorCommand.newBuilder(cancel)
                            .setRequestId("parent/" + cancel.getRequestId())
                            .setAction(OperatorAction.CANCEL) // a paused parent's children are canceled too
                            .setCompensate(cancel.getAction() == OperatorAction.CANCEL && cancel.getCompensate())
                            .build()
                    : OperatorCommand.newBuilder()
                            .setRequestId("branch/" + instanceId + "/" + wait.getWaitId())
                            .setAction(OperatorAction.CANCEL)
                            .build();
            run.commands.add(new InstanceCommand(
                    wait.getChildInstanceId(),
                    OperatorCommand.newBuilder(command)
                            .setNote("its parent " + instanceId + " canceled the branch that waits for it: " + reason)
                            .build()));
        }
    }

    /**
     * The child workflow that every open branch waits for, if each waits for one (running such a
     * branch's step again would start another child, so a resume leaves it alone); else null.
     */
    static String onlyChildren(InstanceRecord instance) {
        ParallelState parallel = instance.getParallel();
        if (parallel == null) {
            return null;
        }
        List<BranchState> open = parallel.getBranches().stream()
                .filter(branch -> branch.getStatus() == BranchStatus.OPEN)
                .toList();
        return open.stream().allMatch(Parallel::waitsForChild) && !open.isEmpty()
                ? open.get(0).getWait().getChildInstanceId()
                : null;
    }

    private static boolean waitsForChild(BranchState branch) {
        return branch.getWait() != null && branch.getWait().getKind() == WaitKind.CHILD;
    }

    /**
     * An operator's resume of an instance in a parallel step: the current step of each open branch
     * runs again (a new attempt), but of those that wait for a child workflow, and the join keeps
     * its timeout.
     */
    static void resumeBranches(Run run) {
        InstanceRecord instance = run.instance;
        ParallelState parallel = instance.getParallel();
        Wait join = parallel.getJoin();
        run.setTimer(join); // leaving the join canceled its timer: it still runs
        for (int i = 0; i < parallel.getBranches().size(); i++) {
            BranchState branch = instance.getParallel().getBranches().get(i);
            if (branch.getStatus() != BranchStatus.OPEN || waitsForChild(branch)) {
                continue;
            }
            enter(instance, i);
            run.cancelTimer(instance.getWait());
            run.closeWait();
            instance.setRetryCount(0);
            run.machine.rerun(run, instance.getStepIndex());
            if (instance.getState() == InstanceState.COMPLETED) {
                settle(run);
                return;
            }
            leaveBranch(run);
            if (decided(run)) {
                return;
            }
        }
        join(run);
    }
}
