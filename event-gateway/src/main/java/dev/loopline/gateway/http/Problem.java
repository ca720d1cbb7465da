package dev.loopline.gateway.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * An RFC 9457 problem details body ({@code application/problem+json}). {@code errors} lists the
 * fields that failed validation, each with a JSON-path-like pointer: {@code steps[0].messageName}.
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Problem(String type, String title, int status, String detail, String instance, List<FieldError> errors) {

    public static final String CONTENT_TYPE = "application/problem+json";

    public record FieldError(String field, String message) {}
}
