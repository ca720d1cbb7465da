package dev.loopline.runtime.domain;

import dev.loopline.api.v1.InstanceState;

/**
 * Dynamics' asynchronous-operation status reasons, each with the state it belongs to. The codes
 * are the documented ones and appear on every {@code InstanceTransition}.
 */
public enum Status {
    WAITING_FOR_RESOURCES(InstanceState.READY, 0),
    WAITING(InstanceState.SUSPENDED, 10),
    IN_PROGRESS(InstanceState.LOCKED, 20),
    PAUSING(InstanceState.LOCKED, 21),
    CANCELING(InstanceState.LOCKED, 22),
    SUCCEEDED(InstanceState.COMPLETED, 30),
    FAILED(InstanceState.COMPLETED, 31),
    CANCELED(InstanceState.COMPLETED, 32);

    private final InstanceState state;
    private final int code;

    Status(InstanceState state, int code) {
        this.state = state;
        this.code = code;
    }

    public InstanceState state() {
        return state;
    }

    public int code() {
        return code;
    }

    public static Status ofCode(int code) {
        for (Status status : values()) {
            if (status.code == code) {
                return status;
            }
        }
        throw new IllegalArgumentException("unknown status code " + code);
    }
}
