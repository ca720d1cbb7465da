package dev.loopline.api;

/**
 * Dialogs (Dynamics' process sessions): a dialog is a definition started on demand on a session
 * entity of its own, whose {@code prompt} steps wait for the answers a client posts through the
 * gateway. An answer is an event on the session's entity; only the gateway writes those.
 */
public final class Dialogs {

    /** The entity type of dialog sessions: a dialog's trigger names it. */
    public static final String SESSION_ENTITY_TYPE = "dialog-session";

    /** The message name of an answer to a page. */
    public static final String RESPONSE_MESSAGE = "DialogResponse";

    /** The source of answers, and the attribute that names the page they answer. */
    public static final String SOURCE = "dialog";

    public static final String PAGE_ATTRIBUTE = "page";

    private Dialogs() {}
}
