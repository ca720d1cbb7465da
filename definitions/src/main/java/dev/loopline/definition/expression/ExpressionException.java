package dev.loopline.definition.expression;

/** An expression that does not compile, fails to evaluate, or yields the wrong type. */
public final class ExpressionException extends RuntimeException {

    public ExpressionException(String message) {
        super(message);
    }

    public ExpressionException(String message, Throwable cause) {
        super(message, cause);
    }
}
