package dev.loopline.api;

/**
 * The error categories an acknowledgement can give ({@code AckError.category}) and what the
 * runtime's default failure policy does with each. An operator's {@code LOOPLINE_FAILURE_RULES}
 * may map any of them otherwise; a code rule comes before its category.
 */
public final class ErrorCategories {

    /** Worth trying again later: retried with backoff, then suspended when the retries run out. */
    public static final String TRANSIENT = "transient";

    /** The business system is busy or rate-limited: retried. */
    public static final String BUSY = "busy";

    /** A network failure or a timeout: retried. */
    public static final String NETWORK = "network";

    /** A storage failure: retried. */
    public static final String STORAGE = "storage";

    /** Not allowed: suspended until an operator resumes it. */
    public static final String AUTHORIZATION = "authorization";

    /** A record the step needs does not exist: suspended. */
    public static final String NOT_FOUND = "not-found";

    /** A person must look at it: suspended until an operator resumes it. */
    public static final String SUSPEND = "suspend";

    /** It will never succeed: the job fails (Completed/Failed, 31). */
    public static final String PERMANENT = "permanent";

    private ErrorCategories() {}
}
