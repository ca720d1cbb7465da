package dev.loopline.gateway.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loopline.api.Dialogs;
import dev.loopline.api.InstanceId;
import dev.loopline.api.OnDemandStart;
import dev.loopline.api.v1.Causation;
import dev.loopline.api.v1.DefinitionStatus;
import dev.loopline.api.v1.PlatformEvent;
import dev.loopline.api.v1.WorkflowDefinition;
import dev.loopline.definition.OnDemandInputs;
import dev.loopline.definition.json.FieldError;
import dev.loopline.definition.json.JsonFields;
import dev.loopline.gateway.kafka.DefinitionRepository;
import dev.loopline.gateway.kafka.EventPublisher;
import dev.loopline.gateway.security.Principals;
import io.javalin.http.Context;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.common.KafkaException;

/**
 * Events in. {@code POST /v1/events}: validates a platform event, produces it (idempotent, acks=all) and
 * answers 202 with its event id once the broker has it. Send an {@code eventId} to make retries
 * safe: the runtime starts one instance per (event id, definition).
 */
final class EventRoutes {

    private static final Set<String> FIELDS = Set.of(
            "eventId",
            "source",
            "entityType",
            "entityId",
            "messageName",
            "attributes",
            "changedAttributes",
            "occurredAt",
            "causation");

    private static final Set<String> ON_DEMAND_FIELDS = Set.of("entityId", "requestId", "inputs");
    private static final Set<String> SESSION_FIELDS = Set.of("requestId", "inputs");
    private static final java.util.regex.Pattern REQUEST_ID = java.util.regex.Pattern.compile("[A-Za-z0-9._:-]{1,128}");

    private final EventPublisher publisher;
    private final DefinitionRepository definitions;
    private final Clock clock;

    EventRoutes(EventPublisher publisher, DefinitionRepository definitions, Clock clock) {
        this.publisher = publisher;
        this.definitions = definitions;
        this.clock = clock;
    }

    /**
     * Publishes and answers 202 once Kafka has the event on every in-sync replica. The wait is
     * bounded from the request's arrival, time waiting for a turn and the producer's metadata wait
     * included (that cannot block past
     * {@code max.block.ms}, set to the same timeout): past it the answer is 503, which does not mean
     * "not written" (a send in flight may still land), so it carries the event id, and sending the
     * event again with that id starts nothing twice.
     */
    void publish(Context ctx) {
        // from the request's arrival, so that time spent waiting for a turn counts too
        long started = ctx.attribute(BodyDeadline.ARRIVED) instanceof Long arrived ? arrived : System.nanoTime();
        PlatformEvent event = parse(Json.objectBody(ctx));
        Principals.requireMayPublish(ctx, event.getSource(), event.getEntityType());
        send(event, started);
        Json.respond(ctx, 202, Map.of("eventId", event.getEventId()));
    }

    /**
     * {@code POST /v1/definitions/{id}/instances}: starts an instance of an active definition that
     * may be started on demand, on one entity, with initiation data checked against the
     * definition's input schema (400 with each error at its field). The start is an event on the
     * entity's partition, so it takes its turn with the entity's other jobs. It is idempotent by
     * the caller's {@code requestId}: the same id starts one instance, whose id the answer gives,
     * and the first request's data is the one it runs with.
     */
    void startOnDemand(Context ctx) {
        long started = ctx.attribute(BodyDeadline.ARRIVED) instanceof Long arrived ? arrived : System.nanoTime();
        JsonNode body = Json.objectBody(ctx);
        JsonFields fields = new JsonFields();
        fields.onlyKnown(body, "", ON_DEMAND_FIELDS);
        String entityId = fields.text(body, "entityId", "entityId", true);
        String requestId = requestId(fields, body);
        fields.throwIfInvalid();
        Started start = start(ctx, started, ctx.pathParam("id"), entityId, requestId, body, false);
        Json.respond(
                ctx,
                202,
                Map.of("instanceId", start.instanceId(), "requestId", start.requestId(), "eventId", start.eventId()));
    }

    /**
     * {@code POST /v1/dialogs/{id}/sessions}: starts a session of a dialog (a definition on demand on
     * the {@code dialog-session} entity type), on a session entity of its own. The session's id is
     * its instance's; the client follows it with {@code GET /v1/dialogs/sessions/{id}}.
     */
    void startSession(Context ctx) {
        long started = ctx.attribute(BodyDeadline.ARRIVED) instanceof Long arrived ? arrived : System.nanoTime();
        JsonNode body = ctx.body().isBlank() ? Json.MAPPER.createObjectNode() : Json.objectBody(ctx);
        JsonFields fields = new JsonFields();
        fields.onlyKnown(body, "", SESSION_FIELDS);
        String requestId = requestId(fields, body);
        fields.throwIfInvalid();
        String request = requestId != null ? requestId : UUID.randomUUID().toString();
        // its starter and its dialog in the record: sessions of two callers, or of two dialogs, under
        // one request id never share a record, and only its starter (or an operator) reads and answers it
        String sessionEntity = DialogRoutes.ownerPrefix(Principals.of(ctx)) + ctx.pathParam("id") + "-" + request;
        Started start = start(ctx, started, ctx.pathParam("id"), sessionEntity, request, body, true);
        Json.respond(ctx, 202, Map.of("sessionId", start.instanceId(), "requestId", start.requestId()));
    }

    private record Started(String instanceId, String requestId, String eventId) {}

    private static String requestId(JsonFields fields, JsonNode body) {
        String requestId = fields.text(body, "requestId", "requestId", false);
        if (requestId != null && !REQUEST_ID.matcher(requestId).matches()) {
            fields.error("requestId", "expected letters, digits, '.', '_', ':' or '-' (at most 128)");
        }
        return requestId;
    }

    /** Checks the definition and the request's inputs, publishes the start, and waits for the broker. */
    private Started start(
            Context ctx,
            long started,
            String definitionId,
            String entityId,
            String requestId,
            JsonNode body,
            boolean session) {
        String source = session ? Dialogs.SOURCE : OnDemandStart.REQUEST_SOURCE;
        WorkflowDefinition definition = definitions
                .find(definitionId)
                // a caller that may not start it learns nothing of it, not even that it exists
                .filter(found ->
                        Principals.of(ctx).mayPublish(source, found.getTrigger().getEntityType()))
                .orElseThrow(() -> ProblemException.notFound("definition " + definitionId));
        if (definition.getStatus() != DefinitionStatus.ACTIVE) {
            throw ProblemException.conflict("definition " + definitionId + " is not active");
        }
        if (definition.getOnDemandInputs() == null) {
            throw ProblemException.conflict(
                    "definition " + definitionId + " cannot be started on demand (its document has no onDemand)");
        }
        String entityType = definition.getTrigger().getEntityType();
        if (session != Dialogs.SESSION_ENTITY_TYPE.equals(entityType)) {
            throw ProblemException.conflict(
                    session
                            ? "definition " + definitionId + " is not a dialog (its trigger's entity type is not "
                                    + Dialogs.SESSION_ENTITY_TYPE + ")"
                            : "definition " + definitionId + " is a dialog: start a session with POST /v1/dialogs/"
                                    + definitionId + "/sessions");
        }
        JsonFields fields = new JsonFields();
        JsonNode inputs = fields.object(body, "inputs", "inputs", false);
        fields.throwIfInvalid();
        List<FieldError> wrong = OnDemandInputs.check(
                definition.getOnDemandInputs(), inputs == null ? Json.MAPPER.createObjectNode() : inputs);
        if (!wrong.isEmpty()) {
            throw ProblemException.invalid(wrong.stream()
                    .map(error -> new Problem.FieldError(error.field(), error.message()))
                    .toList());
        }
        Map<String, Object> values = fields.scalars(body, "inputs", "inputs");
        fields.throwIfInvalid();
        String request = requestId != null ? requestId : UUID.randomUUID().toString();
        PlatformEvent event = PlatformEvent.newBuilder()
                .setEventId(OnDemandStart.requestEventId(definitionId, entityId, request))
                .setSource(OnDemandStart.REQUEST_SOURCE)
                .setEntityType(entityType)
                .setEntityId(entityId)
                .setMessageName(OnDemandStart.MESSAGE_NAME)
                .setOccurredAt(clock.instant())
                .setStartsDefinition(definitionId)
                .setInputs(values)
                .build();
        try {
            send(event, started);
        } catch (ProblemException unconfirmed) {
            throw new ProblemException(
                    503,
                    "unavailable",
                    "Start not confirmed",
                    unconfirmed
                            .getMessage()
                            .replaceFirst(
                                    "send it again with eventId .*",
                                    "send the request again with requestId " + request
                                            + ", which starts nothing twice"),
                    List.of());
        }
        return new Started(InstanceId.of(event.getEventId(), definitionId), request, event.getEventId());
    }

    /** Produces the event and waits for the broker, within the publish budget counted from {@code started}. */
    void send(PlatformEvent event, long started) {
        long budget = publisher.timeout().toNanos();
        try {
            if (System.nanoTime() - started >= budget) { // the wait for a turn took it all: not sent
                throw new TimeoutException("no time was left after waiting for a turn");
            }
            var sent = publisher.publish(event); // may wait for metadata, at most max.block.ms
            sent.get(Math.max(0, budget - (System.nanoTime() - started)), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unavailable(e, event, started);
        } catch (ExecutionException | TimeoutException | KafkaException e) {
            throw unavailable(e, event, started);
        }
    }

    PlatformEvent parse(JsonNode body) {
        JsonFields fields = new JsonFields();
        fields.onlyKnown(body, "", FIELDS);
        String eventId = fields.text(body, "eventId", "eventId", false);
        String source = fields.text(body, "source", "source", true);
        String entityType = fields.text(body, "entityType", "entityType", true);
        String entityId = fields.text(body, "entityId", "entityId", true);
        String messageName = fields.text(body, "messageName", "messageName", true);
        Map<String, Object> attributes = fields.scalars(body, "attributes", "attributes");
        List<String> changedAttributes = fields.strings(body, "changedAttributes", "changedAttributes");
        Instant occurredAt = fields.instant(body, "occurredAt", "occurredAt");
        Causation causation = null;
        JsonNode cause = fields.object(body, "causation", "causation", false);
        if (cause != null) {
            String origin = fields.text(cause, "originatingInstanceId", "causation.originatingInstanceId", true);
            Integer depth = fields.nonNegativeInt(cause, "depth", "causation.depth");
            Instant chainStartedAt = fields.instant(cause, "chainStartedAt", "causation.chainStartedAt");
            if (origin != null && depth != null) {
                causation = new Causation(origin, depth, chainStartedAt);
            }
        }
        if (OnDemandStart.isReserved(source, eventId)) {
            fields.error(
                    OnDemandStart.isReserved(source, null) ? "source" : "eventId",
                    "the sources on-demand, workflow and dialog, and event ids under them, are reserved for"
                            + " on-demand starts and dialog answers");
        }
        if (Dialogs.SESSION_ENTITY_TYPE.equals(entityType)) {
            fields.error("entityType", "dialog sessions are answered through /v1/dialogs/sessions/{id}/responses");
        }
        fields.throwIfInvalid();
        return PlatformEvent.newBuilder()
                .setEventId(eventId != null ? eventId : UUID.randomUUID().toString())
                .setSource(source)
                .setEntityType(entityType)
                .setEntityId(entityId)
                .setMessageName(messageName)
                .setAttributes(attributes)
                .setOccurredAt(occurredAt != null ? occurredAt : clock.instant())
                .setCausation(causation)
                .setChangedAttributes(changedAttributes)
                .build();
    }

    private static ProblemException unavailable(Exception cause, PlatformEvent event, long started) {
        Throwable why = cause instanceof ExecutionException && cause.getCause() != null ? cause.getCause() : cause;
        return new ProblemException(
                        503,
                        "unavailable",
                        "Event not confirmed",
                        "Kafka did not confirm the event within "
                                + Duration.ofNanos(System.nanoTime() - started).toMillis()
                                + " ms (" + why.getClass().getSimpleName()
                                + "). It may still be written: send it again with eventId " + event.getEventId()
                                + ", which starts nothing twice",
                        List.of())
                .aboutEvent(event.getEventId());
    }
}
