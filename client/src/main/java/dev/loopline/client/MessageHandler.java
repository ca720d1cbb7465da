package dev.loopline.client;

/**
 * Does what a message asks and says how it went. Called once per delivery, at least once per
 * message: a message can come again after a crash or a rebalance, with the same {@link Message#id()}.
 * A handler whose effect must not happen twice makes it idempotent by that id. An exception it
 * throws becomes {@link Ack#retry}: the runtime tries the step again later, with backoff.
 */
@FunctionalInterface
public interface MessageHandler {

    Ack handle(Message message) throws Exception;
}
