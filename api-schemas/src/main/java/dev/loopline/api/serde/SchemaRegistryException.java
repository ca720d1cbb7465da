package dev.loopline.api.serde;

import org.apache.kafka.common.errors.SerializationException;

/** A registry call failed; carries the registry's error code where it sent one. */
public class SchemaRegistryException extends SerializationException {

    private final int errorCode;

    public SchemaRegistryException(String message, int errorCode) {
        super(message);
        this.errorCode = errorCode;
    }

    public SchemaRegistryException(String message, Throwable cause) {
        super(message, cause);
        this.errorCode = -1;
    }

    /** The registry's {@code error_code} (e.g. 40401 subject not found), or -1. */
    public int errorCode() {
        return errorCode;
    }

    /**
     * Whether the call may succeed when tried again: the registry was unreachable, timed out, or
     * answered 5xx or 429. A record whose schema id the registry does not know (404, 40403) is not
     * transient: it is a bad record, and goes to the dead-letter topic, where a record that could
     * not be read because the registry was briefly down must be read again instead.
     */
    public boolean isTransient() {
        if (errorCode == -1) {
            return getCause() != null; // unreachable, timed out or interrupted
        }
        int status = errorCode >= 10_000 ? errorCode / 100 : errorCode;
        return status >= 500 || status == 429;
    }

    /** Whether {@code failure}, or one of its causes, is a registry call that may succeed when tried again. */
    public static boolean isTransient(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof SchemaRegistryException registry) {
                return registry.isTransient();
            }
        }
        return false;
    }
}
