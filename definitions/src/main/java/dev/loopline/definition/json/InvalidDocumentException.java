package dev.loopline.definition.json;

import java.util.List;

/** A document (definition or event) with invalid fields; carries every error, not only the first. */
public final class InvalidDocumentException extends RuntimeException {

    private final List<FieldError> errors;

    public InvalidDocumentException(List<FieldError> errors) {
        super(errors.size() == 1 ? errors.get(0).toString() : errors.size() + " fields are invalid: " + errors);
        this.errors = List.copyOf(errors);
    }

    public List<FieldError> errors() {
        return errors;
    }
}
