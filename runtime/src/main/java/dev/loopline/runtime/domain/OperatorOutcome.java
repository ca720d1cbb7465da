package dev.loopline.runtime.domain;

/**
 * The state machine's answer to an operator action: accepted with the decision to commit, or
 * refused with the reason (the gateway answers 409 with it).
 */
public record OperatorOutcome(Decision decision, boolean accepted, String reason) {

    static OperatorOutcome refused(String reason) {
        return new OperatorOutcome(Decision.ignored(reason), false, reason);
    }
}
