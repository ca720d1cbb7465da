package dev.loopline.cli;

import com.fasterxml.jackson.databind.JsonNode;

/** The gateway said no, or could not be asked: the reason to print, and the exit code. */
final class Refusal extends RuntimeException {

    private final int exitCode;

    Refusal(int exitCode, String reason) {
        super(reason);
        this.exitCode = exitCode;
    }

    /** From an RFC 9457 problem: its title and detail, and each field error on a line of its own. */
    static Refusal of(int status, JsonNode problem) {
        StringBuilder reason = new StringBuilder();
        String title = problem.path("title").asText("");
        String detail = problem.path("detail").asText(problem.isTextual() ? problem.asText() : "");
        reason.append(status).append(title.isEmpty() ? "" : " " + title);
        if (!detail.isEmpty()) {
            reason.append(": ").append(detail);
        }
        for (JsonNode error : problem.path("errors")) {
            reason.append(System.lineSeparator())
                    .append("  ")
                    .append(error.path("field").asText())
                    .append(": ")
                    .append(error.path("message").asText());
        }
        return new Refusal(ExitCodes.forStatus(status), reason.toString());
    }

    int exitCode() {
        return exitCode;
    }
}
