package dev.loopline.gateway.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loopline.api.internal.OperatorAction;
import dev.loopline.api.internal.OperatorCommand;
import dev.loopline.api.internal.OperatorResult;
import dev.loopline.definition.json.JsonFields;
import dev.loopline.gateway.kafka.OperatorChannel;
import dev.loopline.gateway.query.InstanceFilter;
import dev.loopline.gateway.security.Audit;
import dev.loopline.gateway.security.Principals;
import io.javalin.http.Context;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Operators' actions on instances (queries: {@link InstanceQueries}).
 *
 * <pre>
 * POST /v1/instances/{id}/{cancel|pause|resume|postpone}   {"until": "…", "note": "…", "compensate": true}: 200, 404, 409
 * DELETE /v1/instances/{id}                     a completed instance (failed ones stay until deleted): 200, 404, 409
 * POST /v1/instances/actions/{action}           {"filter": {…}, "until", "note"}: 202, the action on every
 *                                               match as a background operation
 * GET  /v1/operations/{id}                      its progress
 * </pre>
 *
 * Actions are decided by the runtime that owns the instance (see {@link OperatorChannel}); a bulk
 * action's matches come from the query side.
 */
final class InstanceRoutes {

    private static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(15);
    private final InstanceQueries queries;
    private final OperatorChannel operators;
    private final BulkOperations bulk;
    private final QueryPeers peers;

    InstanceRoutes(InstanceQueries queries, OperatorChannel operators, BulkOperations bulk, QueryPeers peers) {
        this.queries = queries;
        this.operators = operators;
        this.bulk = bulk;
        this.peers = peers;
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

    /**
     * Starts the action on every match as a background operation ({@link BulkOperations}): 202
     * with the operation, and its address in {@code Location}.
     */
    void bulk(Context ctx) {
        OperatorAction action = action(ctx.pathParam("action"));
        JsonNode body = Json.objectBody(ctx); // required: an empty body must not mean "everything"
        JsonNode filterNode = bulkFilter(body);
        InstanceFilter filter = InstanceQueries.filter(
                fieldNames(filterNode.fieldNames()),
                name -> filterNode.hasNonNull(name) ? filterNode.get(name).asText() : null,
                false);
        BulkOperations.Operation operation = bulk.start(
                queries.self(),
                action,
                filter,
                filterNode,
                command(action, body, Principals.nameOf(ctx)),
                Principals.nameOf(ctx),
                QueryPeers.credentials(ctx));
        ctx.header("Location", "/v1/operations/" + operation.id);
        Json.respond(ctx, 202, operation.view());
    }

    /** A bulk operation's progress, read where it runs. */
    void operation(Context ctx) throws InterruptedException {
        String id = ctx.pathParam("id");
        String process = BulkOperations.processOf(id);
        // relayed only to a gateway process of this deployment's query group, never to an
        // address the caller made up
        if (process != null && queries.peers().contains(process) && !QueryPeers.isForwarded(ctx)) {
            peers.relay(ctx, process);
            return;
        }
        BulkOperations.Operation operation =
                bulk.find(id).orElseThrow(() -> ProblemException.notFound("operation " + id));
        Json.respond(ctx, 200, operation.view());
    }

    private Optional<OperatorResult> send(String id, OperatorAction action, JsonNode body, String principal)
            throws InterruptedException {
        return operators.send(id, command(action, body, principal), ANSWER_TIMEOUT);
    }

    /** The command an action's body asks for; 400 for a bad {@code until}, or none to postpone to. */
    static OperatorCommand.Builder command(OperatorAction action, JsonNode body, String principal) {
        JsonFields fields = new JsonFields();
        Instant until = fields.instant(body, "until", "until");
        String note = body.hasNonNull("note") ? body.get("note").asText() : null;
        if (action == OperatorAction.POSTPONE && until == null && !fields.hasErrors()) {
            fields.error("until", "is required to postpone");
        }
        boolean compensate = false;
        if (body.has("compensate")) {
            if (!body.get("compensate").isBoolean()) {
                fields.error("compensate", "expected true or false");
            } else if (action != OperatorAction.CANCEL) {
                fields.error("compensate", "only a cancel compensates");
            } else {
                compensate = body.get("compensate").asBoolean();
            }
        }
        fields.throwIfInvalid();
        return OperatorCommand.newBuilder()
                .setAction(action)
                .setPostponeUntil(until)
                .setNote(note)
                .setPrincipal(principal)
                .setCompensate(compensate);
    }

    /** The fields a bulk action's body may have. */
    private static final Set<String> BULK_FIELDS = Set.of("filter", "confirmAll", "until", "note", "compensate");
    /** What a bulk filter may name; paging is the gateway's own. */
    private static final Set<String> BULK_FILTERS = InstanceQueries.FILTERS;

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
        OperatorAction action;
        try {
            action = OperatorAction.valueOf(name.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            action = null;
        }
        if (action == null || action == OperatorAction.MIGRATE) { // a migration has a plan: POST /v1/migrations
            throw ProblemException.notFound("action " + name + " (use cancel, pause, resume or postpone)");
        }
        return action;
    }

    private static Set<String> fieldNames(java.util.Iterator<String> iterator) {
        Set<String> names = new java.util.HashSet<>();
        iterator.forEachRemaining(names::add);
        return names;
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
}
