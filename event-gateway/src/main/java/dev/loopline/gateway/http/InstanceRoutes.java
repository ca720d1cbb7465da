package dev.loopline.gateway.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loopline.api.internal.OperatorAction;
import dev.loopline.api.internal.OperatorCommand;
import dev.loopline.api.internal.OperatorResult;
import dev.loopline.api.v1.InstanceState;
import dev.loopline.api.v1.InstanceTransition;
import dev.loopline.definition.json.JsonFields;
import dev.loopline.gateway.kafka.InstanceProjection;
import dev.loopline.gateway.kafka.OperatorChannel;
import dev.loopline.gateway.security.Audit;
import dev.loopline.gateway.security.Principals;
import io.javalin.http.Context;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Instances for operators.
 *
 * <pre>
 * GET  /v1/instances?definitionId=&state=&statusCode=&entityId=&from=&to=&limit=&after=   a page, oldest first
 * GET  /v1/instances/counts                     counts by state and status code
 * GET  /v1/instances/{id}                       state, status, error and every transition
 * GET  /v1/instances/{id}/transitions           the full transition history
 * POST /v1/instances/{id}/{cancel|pause|resume|postpone}   {"until": "…", "note": "…"}: 200, 404, 409
 * DELETE /v1/instances/{id}                     a completed instance (failed ones stay until deleted): 200, 404, 409
 * POST /v1/instances/actions/{action}           {"filter": {…}, "until", "note"}: the action on every match
 * </pre>
 *
 * Reads come from the committed transitions topic (see {@link InstanceProjection}); actions are
 * decided by the runtime that owns the instance (see {@link OperatorChannel}).
 */
final class InstanceRoutes {

    private static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(15);
    private static final int MAX_PAGE = 500;

    private final InstanceProjection instances;
    private final OperatorChannel operators;

    InstanceRoutes(InstanceProjection instances, OperatorChannel operators) {
        this.instances = instances;
        this.operators = operators;
    }

    void get(Context ctx) {
        String id = ctx.pathParam("id");
        InstanceProjection.Summary summary =
                instances.summary(id).orElseThrow(() -> ProblemException.notFound("instance " + id));
        Map<String, Object> view = view(summary);
        view.put("transitions", transitions(id));
        Json.respond(ctx, 200, view);
    }

    void history(Context ctx) {
        String id = ctx.pathParam("id");
        if (instances.summary(id).isEmpty()) {
            throw ProblemException.notFound("instance " + id);
        }
        Json.respond(ctx, 200, Map.of("instanceId", id, "transitions", transitions(id)));
    }

    void list(Context ctx) {
        InstanceProjection.Filter filter = filter(ctx.queryParamMap().keySet(), ctx::queryParam);
        int limit = intParam(ctx.queryParam("limit"), 100);
        InstanceProjection.Page page = instances.query(filter, limit, ctx.queryParam("after"));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("items", page.items().stream().map(InstanceRoutes::view).toList());
        body.put("next", page.next());
        Json.respond(ctx, 200, body);
    }

    void counts(Context ctx) {
        Map<String, Map<String, Long>> counts = new LinkedHashMap<>();
        instances.counts().forEach((state, byStatus) -> {
            Map<String, Long> statuses = new LinkedHashMap<>();
            byStatus.forEach((code, count) -> statuses.put(Integer.toString(code), count));
            counts.put(state.name(), statuses);
        });
        Json.respond(ctx, 200, counts);
    }

    void delete(Context ctx) throws InterruptedException {
        answer(ctx, ctx.pathParam("id"), OperatorAction.DELETE);
    }

    void act(Context ctx) throws InterruptedException {
        answer(ctx, ctx.pathParam("id"), action(ctx.pathParam("action")));
    }

    private void answer(Context ctx, String id, OperatorAction action) throws InterruptedException {
        Optional<OperatorResult> answered = send(id, action, body(ctx), Principals.nameOf(ctx));
        Audit.operator(ctx, action, id, answered);
        OperatorResult result = answered.orElseThrow(() -> new ProblemException(
                504,
                "no-answer",
                "No answer from the runtime",
                "no runtime answered within " + ANSWER_TIMEOUT + "; the command stays queued",
                List.of()));
        if (!result.getFound()) {
            throw ProblemException.notFound("instance " + id);
        }
        if (!result.getAccepted()) {
            throw ProblemException.conflict(result.getReason());
        }
        Json.respond(ctx, 200, view(result));
    }

    void bulk(Context ctx) throws InterruptedException {
        OperatorAction action = action(ctx.pathParam("action"));
        JsonNode body = Json.objectBody(ctx); // required: an empty body must not mean "everything"
        JsonNode filterNode = bulkFilter(body);
        InstanceProjection.Filter filter = filter(
                fieldNames(filterNode.fieldNames()),
                name -> filterNode.hasNonNull(name) ? filterNode.get(name).asText() : null);
        List<Map<String, Object>> accepted = new ArrayList<>();
        List<Map<String, Object>> refused = new ArrayList<>();
        String after = null;
        do {
            InstanceProjection.Page page = instances.query(filter, MAX_PAGE, after);
            for (InstanceProjection.Summary summary : page.items()) {
                Optional<OperatorResult> result = send(summary.instanceId(), action, body, Principals.nameOf(ctx));
                if (result.isPresent() && result.get().getAccepted()) {
                    accepted.add(view(result.get()));
                } else {
                    refused.add(Map.of(
                            "instanceId",
                            summary.instanceId(),
                            "reason",
                            result.map(OperatorResult::getReason).orElse("no answer from the runtime")));
                }
            }
            after = page.next();
        } while (after != null);
        Map<String, Object> response = new LinkedHashMap<>();
        Audit.bulk(ctx, action, filterNode, accepted.size() + refused.size(), accepted.size());
        response.put("action", action.name().toLowerCase(Locale.ROOT));
        response.put("matched", accepted.size() + refused.size());
        response.put("accepted", accepted);
        response.put("refused", refused);
        Json.respond(ctx, 200, response);
    }

    private Optional<OperatorResult> send(String id, OperatorAction action, JsonNode body, String principal)
            throws InterruptedException {
        JsonFields fields = new JsonFields();
        Instant until = fields.instant(body, "until", "until");
        String note = body.hasNonNull("note") ? body.get("note").asText() : null;
        if (action == OperatorAction.POSTPONE && until == null && !fields.hasErrors()) {
            fields.error("until", "is required to postpone");
        }
        fields.throwIfInvalid();
        OperatorCommand.Builder command = OperatorCommand.newBuilder()
                .setAction(action)
                .setPostponeUntil(until)
                .setNote(note)
                .setPrincipal(principal);
        return operators.send(id, command, ANSWER_TIMEOUT);
    }

    /** The fields a bulk action's body may have. */
    private static final Set<String> BULK_FIELDS = Set.of("filter", "confirmAll", "until", "note");
    /** What a bulk filter may name; paging is the gateway's own. */
    private static final Set<String> BULK_FILTERS =
            Set.of("definitionId", "state", "statusCode", "entityId", "from", "to");

    /**
     * The filter of a bulk action, checked strictly: a mistyped, misspelt or missing filter must
     * never widen to every instance. An empty filter matches everything and needs {@code
     * "confirmAll": true} beside it.
     */
    static JsonNode bulkFilter(JsonNode body) {
        List<Problem.FieldError> errors = new ArrayList<>();
        body.fieldNames().forEachRemaining(name -> {
            if (!BULK_FIELDS.contains(name)) {
                errors.add(new Problem.FieldError(
                        name, "unknown field (expected one of " + new TreeSet<>(BULK_FIELDS) + ")"));
            }
        });
        JsonNode filter = body.get("filter");
        if (filter == null || !filter.isObject()) {
            errors.add(new Problem.FieldError(
                    "filter",
                    filter == null ? "is required" : "expected an object such as {\"definitionId\": \"orders\"}"));
        } else {
            filter.properties().forEach(field -> {
                if (!BULK_FILTERS.contains(field.getKey())) {
                    errors.add(new Problem.FieldError(
                            "filter." + field.getKey(),
                            "unknown filter (expected one of " + new TreeSet<>(BULK_FILTERS) + ")"));
                } else if (!field.getValue().isTextual() && !field.getValue().isIntegralNumber()) {
                    errors.add(new Problem.FieldError("filter." + field.getKey(), "expected a text or a whole number"));
                }
            });
            JsonNode confirm = body.get("confirmAll");
            if (confirm != null && !confirm.isBoolean()) {
                errors.add(new Problem.FieldError("confirmAll", "expected true or false"));
            } else if (filter.isEmpty() && (confirm == null || !confirm.booleanValue())) {
                errors.add(new Problem.FieldError(
                        "filter", "an empty filter matches every instance: add \"confirmAll\": true to mean it"));
            }
        }
        if (!errors.isEmpty()) {
            throw ProblemException.invalid(errors);
        }
        return filter;
    }

    private static JsonNode body(Context ctx) {
        return ctx.body().isBlank() ? Json.MAPPER.createObjectNode() : Json.objectBody(ctx);
    }

    private static OperatorAction action(String name) {
        try {
            return OperatorAction.valueOf(name.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw ProblemException.notFound("action " + name + " (use cancel, pause, resume or postpone)");
        }
    }

    private static InstanceProjection.Filter filter(
            Set<String> present, java.util.function.Function<String, String> value) {
        Set<String> known = Set.of("definitionId", "state", "statusCode", "entityId", "from", "to", "limit", "after");
        List<Problem.FieldError> errors = new ArrayList<>();
        for (String name : present) {
            if (!known.contains(name)) {
                errors.add(new Problem.FieldError(name, "unknown filter (expected one of " + known + ")"));
            }
        }
        InstanceState state = null;
        if (value.apply("state") != null) {
            try {
                state = InstanceState.valueOf(value.apply("state").toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                errors.add(new Problem.FieldError("state", "expected READY, LOCKED, SUSPENDED or COMPLETED"));
            }
        }
        Integer statusCode = null;
        if (value.apply("statusCode") != null) {
            try {
                statusCode = Integer.parseInt(value.apply("statusCode"));
            } catch (NumberFormatException e) {
                errors.add(new Problem.FieldError("statusCode", "expected a status code such as 10 or 31"));
            }
        }
        Instant from = instant(value.apply("from"), "from", errors);
        Instant to = instant(value.apply("to"), "to", errors);
        if (!errors.isEmpty()) {
            throw ProblemException.invalid(errors);
        }
        return new InstanceProjection.Filter(
                value.apply("definitionId"), state, statusCode, value.apply("entityId"), from, to);
    }

    private static Instant instant(String text, String name, List<Problem.FieldError> errors) {
        if (text == null) {
            return null;
        }
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            errors.add(new Problem.FieldError(name, "expected an ISO-8601 instant"));
            return null;
        }
    }

    private static int intParam(String text, int fallback) {
        if (text == null) {
            return fallback;
        }
        try {
            int value = Integer.parseInt(text);
            if (value >= 1 && value <= MAX_PAGE) {
                return value;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw ProblemException.invalid(List.of(new Problem.FieldError("limit", "expected 1 to " + MAX_PAGE)));
    }

    private static Set<String> fieldNames(java.util.Iterator<String> iterator) {
        Set<String> names = new java.util.HashSet<>();
        iterator.forEachRemaining(names::add);
        return names;
    }

    private List<Map<String, Object>> transitions(String id) {
        return instances.transitions(id).orElse(List.of()).stream()
                .map(InstanceRoutes::view)
                .toList();
    }

    private static Map<String, Object> view(InstanceProjection.Summary s) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("instanceId", s.instanceId());
        view.put("definitionId", s.definitionId());
        view.put("definitionVersion", s.definitionVersion());
        view.put("entityType", s.entityType());
        view.put("entityId", s.entityId());
        view.put("state", s.state().name());
        view.put("statusCode", s.statusCode());
        view.put("reason", s.reason());
        view.put("retryCount", s.retryCount());
        view.put("errorCode", s.errorCode());
        view.put("errorMessage", s.errorMessage());
        view.put("createdAt", s.createdAt().toString());
        view.put("updatedAt", s.updatedAt().toString());
        return view;
    }

    private static Map<String, Object> view(OperatorResult result) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("instanceId", result.getInstanceId());
        view.put("action", result.getAction().name().toLowerCase(Locale.ROOT));
        view.put("state", result.getState().name());
        view.put("statusCode", result.getStatusCode());
        view.put("reason", result.getReason());
        return view;
    }

    private static Map<String, Object> view(InstanceTransition t) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("sequence", t.getSequence());
        view.put("state", t.getState().name());
        view.put("statusCode", t.getStatusCode());
        view.put("timestamp", t.getTimestamp().toString());
        view.put("reason", t.getReason());
        view.put("retryCount", t.getRetryCount());
        view.put("errorCode", t.getErrorCode());
        return view;
    }
}
