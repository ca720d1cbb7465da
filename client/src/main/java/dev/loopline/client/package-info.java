/**
 * The application side of Loopline's message loop.
 *
 * <ul>
 *   <li>{@link dev.loopline.client.LooplineClient} reads the messages workflows post, hands each to
 *       the {@link dev.loopline.client.MessageHandler} registered for its name, and sends the
 *       {@link dev.loopline.client.Ack} it returns.
 *   <li>{@link dev.loopline.client.EventPublisher} publishes platform events, including the event an
 *       {@code upsert-entity} step asks for, with its causation.
 *   <li>{@link dev.loopline.client.ClientListener} is the hook for metrics and logs.
 * </ul>
 *
 * <p>Both are configured with plain Kafka client properties (bootstrap servers, security, {@code
 * group.id}) and the serde's ({@code schema.registry.url}, or {@code loopline.avro.serde.class} for
 * another Avro serde).
 */
package dev.loopline.client;
