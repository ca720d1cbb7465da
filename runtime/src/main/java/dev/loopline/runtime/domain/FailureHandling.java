package dev.loopline.runtime.domain;

import dev.loopline.api.internal.InstanceRecord;
import dev.loopline.api.v1.AckError;
import java.time.Instant;

/**
 * What a failed acknowledgement does, as the failure policy classifies its error: retry (the job
 * waits in Ready for its backoff, then runs the step again as a new attempt), suspend (until an
 * operator resumes it), or fail. A job out of retries is suspended.
 */
final class FailureHandling {

    private final FailurePolicy failures;

    FailureHandling(FailurePolicy failures) {
        this.failures = failures;
    }

    /**
     * A failed acknowledgement: the failure policy decides. Retry postpones the job (Ready, 0) until
     * the backoff ends; suspend leaves it Suspended until an operator resumes it; fail completes it.
     */
    void handle(Run run, InstanceRecord current, AckError error) {
        String what = InstanceMachine.where(current) + " failed: " + InstanceMachine.describe(error);
        FailurePolicy.Action action = failures.classify(error);
        // while compensating, the instance keeps the error it fails with, unless a compensation stops for good
        if (current.getCompensatingFor() == null || action != FailurePolicy.Action.RETRY) {
            run.instance.setErrorCode(
                    error == null ? "Unknown" : InstanceLimits.cap(error.getCode(), InstanceLimits.MAX_TEXT_CHARS));
            run.instance.setErrorMessage(
                    error == null ? null : InstanceLimits.cap(error.getMessage(), InstanceLimits.MAX_TEXT_CHARS));
        }
        if (action == FailurePolicy.Action.RETRY && current.getRetryCount() >= failures.maxRetries()) {
            action = FailurePolicy.Action.SUSPEND;
            what = what + " (" + failures.maxRetries() + " retries used)";
        }
        switch (action) {
            case FAIL -> run.fail(what);
            case SUSPEND -> {
                run.instance.setWait(null);
                run.moveTo(Status.WAITING, "suspended: " + what + "; an operator can resume it");
            }
            case RETRY -> {
                int attempt = current.getRetryCount() + 1;
                run.instance.setRetryCount(attempt);
                Instant due = run.now.plus(failures.backoff(current.getInstanceId(), attempt));
                run.waitForRetry(due, "retry " + attempt + " at " + due + " after " + what);
            }
        }
    }
}
