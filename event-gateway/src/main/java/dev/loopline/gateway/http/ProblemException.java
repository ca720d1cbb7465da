package dev.loopline.gateway.http;

import dev.loopline.definition.json.InvalidDocumentException;
import java.util.List;

/** Ends a request with a problem response. */
public final class ProblemException extends RuntimeException {

    private final int status;
    private final String title;
    private final String type;
    private final List<Problem.FieldError> errors;
    private final String eventId;

    public ProblemException(int status, String type, String title, String detail, List<Problem.FieldError> errors) {
        super(detail);
        this.status = status;
        this.type = type;
        this.title = title;
        this.errors = List.copyOf(errors);
        this.eventId = null;
    }

    private ProblemException(ProblemException problem, String eventId) {
        super(problem.getMessage(), problem.getCause());
        this.status = problem.status;
        this.type = problem.type;
        this.title = problem.title;
        this.errors = problem.errors;
        this.eventId = eventId;
    }

    /** The same problem, naming the event it is about. */
    public ProblemException aboutEvent(String eventId) {
        return new ProblemException(this, eventId);
    }

    public static ProblemException invalid(InvalidDocumentException e) {
        return invalid(e.errors().stream()
                .map(error -> new Problem.FieldError(error.field(), error.message()))
                .toList());
    }

    public static ProblemException invalid(List<Problem.FieldError> errors) {
        String detail = errors.size() == 1
                ? errors.get(0).field() + ": " + errors.get(0).message()
                : errors.size() + " fields are invalid";
        return new ProblemException(400, "validation", "Invalid request", detail, errors);
    }

    public static ProblemException notFound(String what) {
        return new ProblemException(404, "not-found", "Not found", what + " does not exist", List.of());
    }

    public static ProblemException conflict(String detail) {
        return new ProblemException(409, "conflict", "Conflict with the current state", detail, List.of());
    }

    public Problem toProblem(String instance) {
        return new Problem("/problems/" + type, title, status, getMessage(), instance, errors, eventId);
    }

    public int status() {
        return status;
    }
}
