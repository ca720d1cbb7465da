package dev.loopline.gateway.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.loopline.api.Dialogs;
import dev.loopline.api.internal.InstanceSummary;
import dev.loopline.api.security.Principal;
import dev.loopline.api.security.Role;
import dev.loopline.api.v1.InstanceState;
import dev.loopline.api.v1.PlatformEvent;
import dev.loopline.api.v1.Step;
import dev.loopline.definition.OnDemandInputs;
import dev.loopline.definition.json.FieldError;
import dev.loopline.definition.json.JsonFields;
import dev.loopline.definition.step.StepTypes;
import dev.loopline.gateway.kafka.DefinitionRepository;
import dev.loopline.gateway.security.Principals;
import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Dialog sessions (Dynamics' process sessions), read and answered page by page. A session is the
 * instance of a dialog definition; its current page is the {@code prompt} step the instance waits
 * at. Both routes run where the session's partition is served, like {@code GET /v1/instances/{id}}.
 *
 * <pre>
 * POST /v1/dialogs/{id}/sessions                  202 {sessionId} (EventRoutes.startSession)
 * GET  /v1/dialogs/sessions/{sessionId}           200 {state, page: {name, text, responses}, answers}
 * POST /v1/dialogs/sessions/{sessionId}/responses {page, answers}: 202, 400 with field errors, 409
 * </pre>
 *
 * A session is Active while it runs, Complete when its instance succeeded, and Incomplete when it
 * was canceled, abandoned past a page's timeout, or failed. Only the principal that started it, or
 * an operator, may read or answer it; to anyone else it does not exist.
 */
final class DialogRoutes {

    private static final Set<String> RESPONSE_FIELDS = Set.of("page", "answers");
    /** What a page's output holds besides the answers: the answer event's own fields. */
    private static final Set<String> EVENT_FIELDS =
            Set.of(Dialogs.PAGE_ATTRIBUTE, "eventId", "messageName", "entityId");

    private final InstanceQueries instances;
    private final DefinitionRepository definitions;
    private final EventRoutes events;
    private final Clock clock;

    DialogRoutes(InstanceQueries instances, DefinitionRepository definitions, EventRoutes events, Clock clock) {
        this.instances = instances;
        this.definitions = definitions;
        this.events = events;
        this.clock = clock;
    }

    void session(Context ctx) throws InterruptedException {
        String id = ctx.pathParam("sessionId");
        OptionalInt partition = instances.servedHere(ctx, id);
        if (partition.isEmpty()) {
            return; // relayed to the process that serves it
        }
        InstanceSummary session = session(ctx, partition.getAsInt(), id);
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("sessionId", id);
        view.put("dialogId", session.getDefinitionId());
        view.put("state", state(session));
        view.put("statusCode", session.getStatusCode());
        view.put("reason", session.getReason());
        view.put("page", page(session).map(DialogRoutes::pageView).orElse(null));
        Map<String, Object> answers = new TreeMap<>();
        session.getVariables().forEach((name, value) -> {
            if (name.startsWith("steps.") && EVENT_FIELDS.stream().noneMatch(field -> name.endsWith("." + field))) {
                answers.put(name.substring("steps.".length()), value);
            }
        });
        view.put("answers", answers);
        Json.respond(ctx, 200, view);
    }

    void respond(Context ctx) throws InterruptedException {
        long started = System.nanoTime();
        String id = ctx.pathParam("sessionId");
        OptionalInt partition = instances.servedHere(ctx, id);
        if (partition.isEmpty()) {
            return;
        }
        InstanceSummary session = session(ctx, partition.getAsInt(), id);
        JsonNode body = Json.objectBody(ctx);
        JsonFields fields = new JsonFields();
        fields.onlyKnown(body, "", RESPONSE_FIELDS);
        String pageName = fields.text(body, "page", "page", true);
        JsonNode answers = fields.object(body, "answers", "answers", false);
        fields.throwIfInvalid();
        Step page = page(session)
                .orElseThrow(() -> ProblemException.conflict("session " + id + " waits for no answer: it is "
                        + state(session).toLowerCase()));
        if (!page.getName().equals(pageName)) {
            throw ProblemException.conflict("session " + id + " is at page " + page.getName() + ", not " + pageName);
        }
        List<FieldError> wrong = OnDemandInputs.check(
                (String) page.getPayload().get("responses"),
                answers == null ? Json.MAPPER.createObjectNode() : answers);
        if (!wrong.isEmpty()) {
            throw ProblemException.invalid(wrong.stream()
                    .map(error -> new Problem.FieldError(
                            "answers" + error.field().substring("inputs".length()), error.message()))
                    .toList());
        }
        Map<String, Object> attributes = new LinkedHashMap<>(fields.scalars(body, "answers", "answers"));
        fields.throwIfInvalid();
        attributes.put(Dialogs.PAGE_ATTRIBUTE, pageName);
        events.send(
                PlatformEvent.newBuilder()
                        .setEventId(Dialogs.SOURCE + "/" + id + "/" + pageName + "/" + UUID.randomUUID())
                        .setSource(Dialogs.SOURCE)
                        .setEntityType(Dialogs.SESSION_ENTITY_TYPE)
                        .setEntityId(session.getEntityId())
                        .setMessageName(Dialogs.RESPONSE_MESSAGE)
                        .setAttributes(attributes)
                        .setOccurredAt(clock.instant())
                        .build(),
                started);
        Json.respond(ctx, 202, Map.of("sessionId", id, "page", pageName));
    }

    /** The instance, if it is a dialog session the caller may see; else 404, as if it did not exist. */
    private InstanceSummary session(Context ctx, int partition, String id) {
        InstanceSummary summary;
        try {
            summary = instances.summary(partition, id);
        } catch (ProblemException e) {
            if (e.status() == 404) { // one answer whether it does not exist or is not a session
                throw ProblemException.notFound("dialog session " + id);
            }
            throw e;
        }
        Principal caller = Principals.of(ctx);
        if (!Dialogs.SESSION_ENTITY_TYPE.equals(summary.getEntityType())
                || !caller.mayPublish(Dialogs.SOURCE, Dialogs.SESSION_ENTITY_TYPE)
                || !(caller.hasAny(Set.of(Role.OPERATOR))
                        || summary.getEntityId().startsWith(ownerPrefix(caller)))) {
            throw ProblemException.notFound("dialog session " + id);
        }
        return summary;
    }

    /** The start of the record of every session this principal starts: a name-based UUID of its name. */
    static String ownerPrefix(Principal starter) {
        return "session-" + UUID.nameUUIDFromBytes(starter.name().getBytes(StandardCharsets.UTF_8)) + "-";
    }

    private static String state(InstanceSummary session) {
        if (session.getState() != InstanceState.COMPLETED) {
            return "Active";
        }
        return session.getStatusCode() == 30 ? "Complete" : "Incomplete";
    }

    /** The prompt the session waits at, in the definition version it runs. */
    private Optional<Step> page(InstanceSummary session) {
        if (session.getState() != InstanceState.SUSPENDED || session.getStepName() == null) {
            return Optional.empty();
        }
        return definitions.versions(session.getDefinitionId()).stream()
                .filter(version -> version.getVersion() == session.getDefinitionVersion())
                .flatMap(version -> version.getSteps().stream())
                .filter(step -> step.getName().equals(session.getStepName()) && "prompt".equals(StepTypes.typeOf(step)))
                .findFirst();
    }

    private static Map<String, Object> pageView(Step page) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("name", page.getName());
        view.put("text", page.getPayload().get("text"));
        try {
            view.put(
                    "responses", Json.MAPPER.readTree((String) page.getPayload().get("responses")));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a compiled page's response schema is not JSON", e);
        }
        return view;
    }
}
