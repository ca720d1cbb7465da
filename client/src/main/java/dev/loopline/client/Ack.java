package dev.loopline.client;

import dev.loopline.api.ErrorCategories;
import dev.loopline.api.v1.AckError;
import dev.loopline.api.v1.Acknowledgement;
import dev.loopline.api.v1.Outcome;
import dev.loopline.api.v1.WorkflowMessage;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * How a handler answers a message: succeeded, with an output the workflow can read, or failed,
 * with an error whose code and category the runtime's failure policy classifies (README, "Failure
 * policy"). The helpers name the usual intents; an operator's rules decide in the end.
 *
 * <table>
 *   <tr><th>helper</th><th>category</th><th>default policy</th></tr>
 *   <tr><td>{@link #retry}</td><td>{@value ErrorCategories#TRANSIENT}</td><td>retried with backoff</td></tr>
 *   <tr><td>{@link #suspend}</td><td>{@value ErrorCategories#SUSPEND}</td><td>suspended until an operator resumes it</td></tr>
 *   <tr><td>{@link #fail}</td><td>{@value ErrorCategories#PERMANENT}</td><td>the job fails</td></tr>
 * </table>
 */
public final class Ack {

    private final boolean succeeded;
    private final Map<String, Object> output;
    private final String code;
    private final String category;
    private final String message;

    private Ack(boolean succeeded, Map<String, Object> output, String code, String category, String message) {
        this.succeeded = succeeded;
        this.output = output;
        this.code = code;
        this.category = category;
        this.message = message;
    }

    private static final Ack LATER = new Ack(false, Map.of(), null, null, null);

    /**
     * No answer now: the handler took the message on (a person decides, a batch runs tonight) and
     * answers it later with {@link LooplineClient#acknowledge}, or over HTTP. The message counts as
     * handled: it is not delivered again, even after a crash, so the application keeps it itself.
     */
    public static Ack later() {
        return LATER;
    }

    /** Whether this is {@link #later()}: nothing to send now. */
    public boolean isLater() {
        return this == LATER;
    }

    public static Ack succeeded() {
        return new Ack(true, Map.of(), null, null, null);
    }

    /**
     * Succeeded, with an output: values may be {@code null}, {@link Boolean}, any integral {@link
     * Number} (kept as a long), {@link Double} or {@link Float} (kept as a double), or a {@link
     * CharSequence}.
     *
     * @throws IllegalArgumentException for a value of any other type
     */
    public static Ack succeeded(Map<String, ?> output) {
        Map<String, Object> values = new LinkedHashMap<>();
        output.forEach((key, value) -> values.put(Objects.requireNonNull(key, "output key"), value(key, value)));
        return new Ack(true, Collections.unmodifiableMap(values), null, null, null);
    }

    /** Failed, with an error for the failure policy; {@code category} may be null. */
    public static Ack failed(String code, String category, String message) {
        return new Ack(
                false,
                Map.of(),
                Objects.requireNonNull(code, "code"),
                category,
                Objects.requireNonNull(message, "message"));
    }

    /** Failed, worth trying again later: category {@value ErrorCategories#TRANSIENT}. */
    public static Ack retry(String code, String message) {
        return failed(code, ErrorCategories.TRANSIENT, message);
    }

    /** Failed, for a person to look at: category {@value ErrorCategories#SUSPEND}. */
    public static Ack suspend(String code, String message) {
        return failed(code, ErrorCategories.SUSPEND, message);
    }

    /** Failed for good: category {@value ErrorCategories#PERMANENT}. */
    public static Ack fail(String code, String message) {
        return failed(code, ErrorCategories.PERMANENT, message);
    }

    /** What a handler that threw answers: {@link #retry}, with the exception's class as code. */
    static Ack thrown(Exception error) {
        String text = error.getMessage() == null ? error.getClass().getName() : error.getMessage();
        return retry(error.getClass().getSimpleName(), text);
    }

    public boolean isSucceeded() {
        return succeeded;
    }

    public Map<String, Object> output() {
        return output;
    }

    public Optional<String> errorCode() {
        return Optional.ofNullable(code);
    }

    public Optional<String> errorCategory() {
        return Optional.ofNullable(category);
    }

    public Optional<String> errorMessage() {
        return Optional.ofNullable(message);
    }

    /** The acknowledgement record of this answer to {@code answered}, echoing its reply token. */
    public Acknowledgement toRecord(WorkflowMessage answered) {
        if (isLater()) {
            throw new IllegalStateException("Ack.later() is no answer: there is nothing to send");
        }
        return Acknowledgement.newBuilder()
                .setMessageId(answered.getMessageId())
                .setInstanceId(answered.getInstanceId())
                .setReplyToken(answered.getReplyToken())
                .setOutcome(succeeded ? Outcome.SUCCEEDED : Outcome.FAILED)
                .setOutput(new LinkedHashMap<>(output))
                .setError(succeeded ? null : new AckError(code, message, category))
                .build();
    }

    private static Object value(String key, Object value) {
        if (value == null || value instanceof Boolean || value instanceof String || value instanceof Double) {
            return value;
        }
        if (value instanceof Float f) {
            return f.doubleValue();
        }
        if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte) {
            return ((Number) value).longValue();
        }
        if (value instanceof CharSequence text) {
            return text.toString();
        }
        throw new IllegalArgumentException(
                "output '" + key + "' is a " + value.getClass().getName()
                        + "; an output value is null, a boolean, a whole number, a double or a text");
    }

    @Override
    public String toString() {
        if (isLater()) {
            return "later";
        }
        return succeeded ? "succeeded " + output : "failed " + code + " (" + category + "): " + message;
    }
}
