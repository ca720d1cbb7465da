package dev.loopline.client;

import dev.loopline.api.v1.Causation;
import dev.loopline.api.v1.MessageKind;
import dev.loopline.api.v1.WorkflowMessage;
import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;

/**
 * A message a workflow posted to the application: "workflow started", a step's request, a task to
 * create, or an entity to create or update. Its {@link #id()} is stable across redeliveries: use it
 * as the idempotency key of whatever the handler does.
 */
public final class Message {

    private final WorkflowMessage record;
    private final String traceParent;
    private final String traceState;

    Message(WorkflowMessage record, String traceParent, String traceState) {
        this.record = record;
        this.traceParent = traceParent;
        this.traceState = traceState;
    }

    /** Wraps a message read some other way (a test, a webhook body). */
    public static Message of(WorkflowMessage record) {
        return new Message(record, null, null);
    }

    /**
     * The W3C {@code traceparent} the message's record carried: the trace of the business event
     * behind it. The client writes it (and {@code tracestate}) on the acknowledgement, so that the
     * trace goes on; a handler that calls other services can pass it to them.
     */
    public Optional<String> traceParent() {
        return Optional.ofNullable(traceParent);
    }

    /** The W3C {@code tracestate} that came with {@link #traceParent()}, if any. */
    public Optional<String> traceState() {
        return Optional.ofNullable(traceState);
    }

    /** {@code <instance id>/<position>}: the same for every delivery of this message. */
    public String id() {
        return record.getMessageId();
    }

    public String instanceId() {
        return record.getInstanceId();
    }

    /** "WorkflowStarted", or the step's message name. */
    public String name() {
        return record.getMessageName();
    }

    public MessageKind kind() {
        return record.getKind();
    }

    public String definitionId() {
        return record.getDefinitionId();
    }

    public int definitionVersion() {
        return record.getDefinitionVersion();
    }

    /** The record the message is about: the trigger's entity, or the entity to upsert. */
    public String entityType() {
        return record.getEntityType();
    }

    public String entityId() {
        return record.getEntityId();
    }

    /** The step's payload: values are {@code null}, {@link Boolean}, {@link Long}, {@link Double} or {@link String}. */
    public Map<String, Object> payload() {
        return Collections.unmodifiableMap(record.getPayload());
    }

    public Instant createdAt() {
        return record.getCreatedAt();
    }

    /** For an entity upsert: the causation the resulting platform event must carry. */
    public Optional<Causation> causation() {
        return Optional.ofNullable(record.getCausation());
    }

    /** The record as read from the topic. */
    public WorkflowMessage record() {
        return record;
    }

    @Override
    public String toString() {
        return name() + " " + id();
    }
}
