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
}
