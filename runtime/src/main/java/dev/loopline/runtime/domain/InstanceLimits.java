package dev.loopline.runtime.domain;

import dev.loopline.api.internal.InstanceRecord;
import dev.loopline.api.v1.WorkflowMessage;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Bounds on what one instance may hold and send, checked by the state machine before anything is
 * written. Without them one instance that grows a variable past the broker's record size makes the
 * write of its state fail, which aborts the whole transaction: the task fails, is retried on the
 * same input and fails again, and every instance of that task stops. Within these bounds an
 * instance's records stay below Kafka's default 1 MiB (its definition snapshot and trigger event are
 * bounded by the input limit, see {@code LOOPLINE_LIMIT_RECORD_BYTES}); an instance that would
 * exceed one fails alone, Completed/Failed (31) with error code {@value #ERROR_CODE}.
 *
 * <p>Sizes are counted as Avro writes them, closely enough: strings by their UTF-8 bytes, numbers
 * as 8 bytes, booleans and nulls as 1.
 *
 * @param maxVariablesBytes the variables and step outputs of one instance, keys and values together
 * @param maxValueBytes one variable, step output or payload value
 * @param maxPayloadBytes the payload of one message, keys and values together
 */
public record InstanceLimits(int maxVariablesBytes, int maxValueBytes, int maxPayloadBytes) {

    /** The error code of an instance that failed on a limit. */
    public static final String ERROR_CODE = "InstanceLimitExceeded";

    /** Error codes and messages from acknowledgements are kept to this many characters. */
    static final int MAX_TEXT_CHARS = 2_048;

    public InstanceLimits {
        if (maxVariablesBytes <= 0 || maxValueBytes <= 0 || maxPayloadBytes <= 0) {
            throw new IllegalArgumentException("instance limits must be positive");
        }
    }

    /** 256 KiB of variables, 64 KiB per value, 128 KiB per message payload. */
    public static InstanceLimits defaults() {
        return new InstanceLimits(256 * 1024, 64 * 1024, 128 * 1024);
    }

    /** What the instance or one of its messages exceeds, if anything. */
    Optional<String> exceeded(InstanceRecord instance, List<WorkflowMessage> messages) {
        Optional<String> variables = exceeded("variables", instance.getVariables(), maxVariablesBytes);
        if (variables.isPresent()) {
            return variables;
        }
        for (WorkflowMessage message : messages) {
            Optional<String> payload =
                    exceeded("the payload of message " + message.getMessageId(), message.getPayload(), maxPayloadBytes);
            if (payload.isPresent()) {
                return payload;
            }
        }
        return Optional.empty();
    }

    /** Throws {@link Exceeded} if this one value is over the value limit. */
    void checkValue(String what, Object value) {
        long size = sizeOf(value);
        if (size > maxValueBytes) {
            throw new Exceeded(what + ": value is " + size + " bytes, over the limit of " + maxValueBytes);
        }
    }

    /** A step produced a value over a limit; the state machine fails the instance with {@link #ERROR_CODE}. */
    static final class Exceeded extends RuntimeException {
        Exceeded(String message) {
            super(message, null, false, false);
        }
    }

    private Optional<String> exceeded(String what, Map<String, Object> values, int maxTotal) {
        long total = 0;
        for (Map.Entry<String, Object> entry : values.entrySet()) {
            long value = sizeOf(entry.getValue());
            if (value > maxValueBytes) {
                return Optional.of(what + ": value " + cap(entry.getKey(), 200) + " is " + value
                        + " bytes, over the limit of " + maxValueBytes);
            }
            total += utf8Length(entry.getKey()) + value;
        }
        return total > maxTotal
                ? Optional.of(what + " take " + total + " bytes, over the limit of " + maxTotal)
                : Optional.empty();
    }

    static long sizeOf(Object value) {
        if (value instanceof CharSequence text) {
            return utf8Length(text);
        }
        if (value instanceof Number) {
            return Long.BYTES;
        }
        return 1;
    }

    /** UTF-8 bytes without encoding: 1 for ASCII, 2 up to U+07FF, 4 for a surrogate pair, else 3. */
    static long utf8Length(CharSequence text) {
        long bytes = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                bytes += 1;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c)
                    && i + 1 < text.length()
                    && Character.isLowSurrogate(text.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }

    /** The text, cut to {@code max} characters with a marker saying how long it was. */
    static String cap(String text, int max) {
        if (text == null || text.length() <= max) {
            return text;
        }
        return text.substring(0, max) + "… (" + text.length() + " characters)";
    }
}
