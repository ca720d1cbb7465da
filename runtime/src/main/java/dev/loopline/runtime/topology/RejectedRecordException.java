package dev.loopline.runtime.topology;

import java.util.function.Supplier;

/**
 * Thrown by a processor, before it changes any state, for a record that cannot be applied (an
 * acknowledgement for an instance that does not exist, say). The processing exception handler
 * sends the record's original bytes to the dead-letter topic with this message in the
 * {@code __streams.errors.message} header, and processing goes on with the next record.
 */
public final class RejectedRecordException extends RuntimeException {

    public RejectedRecordException(String reason) {
        super(reason);
    }

    public RejectedRecordException(String reason, Throwable cause) {
        super(reason, cause);
    }

    /**
     * Runs the pure part of handling a record (the state machine's decision, before anything is
     * written), turning any failure in it into a rejection of this record alone. The state machine
     * answers bad input with a decision rather than an exception, so a failure here is a bug met by
     * one input; without this it would fail the task, which retries the same input and fails again,
     * and every other instance of the task would stop behind it.
     */
    public static <T> T ifItFails(String what, Supplier<T> pure) {
        try {
            return pure.get();
        } catch (RejectedRecordException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new RejectedRecordException(what + " failed: " + e, e);
        }
    }
}
