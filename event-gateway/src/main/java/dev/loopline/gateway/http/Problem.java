package dev.loopline.gateway.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * An RFC 9457 problem details body ({@code application/problem+json}). {@code errors} lists the
 * fields that failed validation, each with a JSON-path-like pointer: {@code steps[0].messageName}.
 * {@code eventId}, an extension member, names the event a 503 or 504 was about: the write may still
 * happen, and sending the event again with this id is safe.
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Problem(
        String type,
        String title,
        int status,
        String detail,
        String instance,
        List<FieldError> errors,
        String eventId) {

    public static final String CONTENT_TYPE = "application/problem+json";

    public Problem(String type, String title, int status, String detail, String instance, List<FieldError> errors) {
        this(type, title, status, detail, instance, errors, null);
    }

    public record FieldError(String field, String message) {}
}
