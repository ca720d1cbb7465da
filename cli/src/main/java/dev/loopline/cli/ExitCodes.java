package dev.loopline.cli;

/** What {@code loopline} exits with; the README and {@code loopline --help} list them. */
final class ExitCodes {

    static final int OK = 0;
    /** The gateway or the runtime refused: the rules forbid the action now (409), or the input is invalid (400, 413, 415). */
    static final int REFUSED = 1;
    /** The command line itself is wrong (picocli's own code for it). */
    static final int USAGE = 2;
    /** No such definition, instance, operation or dead letter (404). */
    static final int NOT_FOUND = 3;
    /** No valid key, or the key lacks the role (401, 403). */
    static final int DENIED = 4;
    /** The gateway could not be reached, or answered 5xx or 429: try again later. */
    static final int UNAVAILABLE = 5;

    private ExitCodes() {}

    static int forStatus(int status) {
        if (status == 404) {
            return NOT_FOUND;
        }
        if (status == 401 || status == 403) {
            return DENIED;
        }
        if (status >= 500 || status == 429 || status == 408) {
            return UNAVAILABLE;
        }
        return REFUSED;
    }
}
