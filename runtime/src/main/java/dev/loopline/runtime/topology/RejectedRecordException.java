package dev.loopline.runtime.topology;

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
}
