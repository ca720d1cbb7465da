package dev.loopline.client;

import java.time.Duration;

/**
 * Hooks for metrics and logs: every method does nothing unless overridden. They are called on the
 * client's threads and must return quickly.
 */
public interface ClientListener {

    /** A message reached its handler. */
    default void received(Message message) {}

    /** Its acknowledgement was written to Kafka, {@code took} after the handler was called. */
    default void acknowledged(Message message, Ack ack, Duration took) {}

    /** A message this process had already acknowledged came again, and was not handled again. */
    default void duplicate(Message message) {}

    /** No handler is registered for the message's name: it is left to other applications. */
    default void unhandled(Message message) {}

    /** The handler threw; the message is acknowledged as {@link Ack#retry}. */
    default void handlerFailed(Message message, Exception error) {}

    /** Something the client does itself failed, and is tried again after {@code delay}. */
    default void retrying(String operation, Throwable error, int attempt, Duration delay) {}

    /** A record of the messages topic could not be read, and was skipped. */
    default void unreadable(String topic, int partition, long offset, Exception error) {}
}
