package dev.loopline.definition.json;

/** One invalid field: a JSON-path-like pointer ({@code steps[3].timeout}) and what is wrong with it. */
public record FieldError(String field, String message) {

    @Override
    public String toString() {
        return field + ": " + message;
    }
}
