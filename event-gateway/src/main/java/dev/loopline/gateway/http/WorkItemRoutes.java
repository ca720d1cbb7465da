package dev.loopline.gateway.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loopline.api.WorkItems;
import dev.loopline.api.internal.InstanceSummary;
import dev.loopline.api.security.Principal;
import dev.loopline.api.security.Role;
import dev.loopline.api.v1.PlatformEvent;
import dev.loopline.api.v1.WorkItem;
import dev.loopline.definition.json.JsonFields;
import dev.loopline.gateway.query.InstanceFilter;
import dev.loopline.gateway.query.PartialPage;
import dev.loopline.gateway.security.Principals;
import io.javalin.http.Context;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

/**
 * Work items: the open items of approval steps, listed by assignee and answered. An item is a
 * platform task; answering one publishes the TaskChanged event that the instance waits for, so an
 * application may as well publish that event itself.
 *
 * <pre>
 * GET  /v1/work-items?assignee=&limit=&after=  200 {items: [{id, assignee, queue, step, subject, dueAt,
 *                                              delegatedFrom, escalatedFrom, instanceId, definitionId,
 *                                              entityType, entityId}], next}
 * POST /v1/work-items/{id}/complete            {outcome: Approve|Reject|RequestChange|Delegate,
 *                                              delegateTo, comment, by, requestId}: 202, 400, 403, 404
 * </pre>
 *
 * The list is the instance list's, through the query side's assignee index: newest instance first,
 * paged with the same cursor, 503 while a partition is being restored. An item is answered where
 * its instance's partition is served. An operator may answer any item, naming who answered in
 * {@code by}; any other caller answers as itself (its principal's name, the subject of its JWT, say),
 * and only the items assigned to it, or to a queue.
 */
final class WorkItemRoutes {

    private static final Set<String> LIST_PARAMETERS = Set.of("assignee", "limit", "after");
    private static final Set<String> COMPLETE_FIELDS = Set.of("outcome", "delegateTo", "comment", "by", "requestId");

    private final InstanceQueries instances;
    private final EventRoutes events;
    private final Clock clock;

    WorkItemRoutes(InstanceQueries instances, EventRoutes events, Clock clock) {
        this.instances = instances;
        this.events = events;
        this.clock = clock;
    }

    void list(Context ctx) throws InterruptedException {
        List<Problem.FieldError> errors = new ArrayList<>();
        for (String name : ctx.queryParamMap().keySet()) {
            if (!LIST_PARAMETERS.contains(name)) {
                errors.add(new Problem.FieldError(
                        name, "unknown parameter (expected one of " + new TreeSet<>(LIST_PARAMETERS) + ")"));
            }
        }
        String assignee = ctx.queryParam("assignee");
        if (assignee == null || assignee.isBlank()) {
            errors.add(new Problem.FieldError("assignee", "is required: whose open work items to list"));
        }
        if (!errors.isEmpty()) {
            throw ProblemException.invalid(errors);
        }
        InstanceFilter filter =
                InstanceQueries.filter(Set.of("assignee"), name -> name.equals("assignee") ? assignee : null, false);
        PartialPage<Map<String, Object>> page = instances.page(
                QueryPeers.credentials(ctx),
                filter,
                InstanceQueries.cursor(ctx.queryParam("after")),
                InstanceQueries.limit(ctx.queryParam("limit")));
        List<Map<String, Object>> items = new ArrayList<>();
        for (PartialPage.Item<Map<String, Object>> instance : page.items()) {
            Map<String, Object> view = instance.value();
            if (!(view.get("workItems") instanceof List<?> open)) {
                continue;
            }
            for (Object each : open) {
                if (each instanceof Map<?, ?> item && assignee.equals(item.get("assignee"))) {
                    Map<String, Object> entry = new LinkedHashMap<>();
                    item.forEach((key, value) -> entry.put(String.valueOf(key), value));
                    entry.put("instanceId", view.get("instanceId"));
                    entry.put("definitionId", view.get("definitionId"));
                    entry.put("entityType", view.get("entityType"));
                    entry.put("entityId", view.get("entityId"));
                    items.add(entry);
                }
            }
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("items", items);
        body.put("next", page.boundary() == null ? null : InstanceQueries.encode(page.boundary()));
        Json.respond(ctx, 200, body);
    }

    void complete(Context ctx) throws InterruptedException {
        long started = System.nanoTime();
        String id = ctx.pathParam("id");
        String instanceId = WorkItems.instanceOf(id);
        if (instanceId == null) {
            throw ProblemException.notFound("work item " + id);
        }
        OptionalInt partition = instances.servedHere(ctx, instanceId);
        if (partition.isEmpty()) {
            return; // relayed to the process that serves it
        }
        WorkItem item = openItem(partition.getAsInt(), instanceId, id);
        JsonNode body = Json.objectBody(ctx);
        JsonFields fields = new JsonFields();
        fields.onlyKnown(body, "", COMPLETE_FIELDS);
        String outcome = fields.text(body, "outcome", "outcome", true);
        if (outcome != null && !WorkItems.OUTCOMES.contains(outcome)) {
            fields.error("outcome", "expected one of " + new TreeSet<>(WorkItems.OUTCOMES));
        }
        String delegateTo = fields.text(body, "delegateTo", "delegateTo", WorkItems.DELEGATE.equals(outcome));
        String comment = fields.text(body, "comment", "comment", false);
        String by = fields.text(body, "by", "by", false);
        String requestId = fields.text(body, "requestId", "requestId", false);
        fields.throwIfInvalid();
        Principal caller = Principals.of(ctx);
        boolean operator = caller.hasAny(Set.of(Role.OPERATOR));
        if (!operator && by != null && !by.equals(caller.name())) {
            throw new ProblemException(
                    403,
                    "forbidden",
                    "Not the assignee",
                    "only an operator may answer a work item for someone else: by is the caller, " + caller.name(),
                    List.of());
        }
        String actor = by != null ? by : caller.name();
        if (!operator && !item.getQueue() && !item.getAssignee().equals(actor)) {
            throw new ProblemException(
                    403,
                    "forbidden",
                    "Not the assignee",
                    "work item " + id + " is assigned to someone else; only its assignee or an operator may answer it",
                    List.of());
        }
        Map<String, Object> attributes = new LinkedHashMap<>();
        attributes.put(WorkItems.OUTCOME, outcome);
        attributes.put(WorkItems.BY, actor);
        if (delegateTo != null) {
            attributes.put(WorkItems.DELEGATE_TO, delegateTo);
        }
        if (comment != null) {
            attributes.put(WorkItems.COMMENT, comment);
        }
        // a client that repeats a request with its requestId publishes the same event: applied once
        String eventId = WorkItems.SOURCE + "/" + id + "/" + (requestId != null ? requestId : UUID.randomUUID());
        events.send(
                PlatformEvent.newBuilder()
                        .setEventId(eventId)
                        .setSource(WorkItems.SOURCE)
                        .setEntityType(WorkItems.ENTITY_TYPE)
                        .setEntityId(id)
                        .setMessageName(WorkItems.ANSWER_MESSAGE)
                        .setAttributes(attributes)
                        .setOccurredAt(clock.instant())
                        .build(),
                started);
        Json.respond(ctx, 202, Map.of("workItemId", id, "instanceId", instanceId, "eventId", eventId));
    }

    /** The open work item, as the instance's latest transition lists it; 404 if it is not open. */
    private WorkItem openItem(int partition, String instanceId, String id) {
        InstanceSummary summary;
        try {
            summary = instances.summary(partition, instanceId);
        } catch (ProblemException e) {
            if (e.status() == 404) {
                throw ProblemException.notFound("work item " + id);
            }
            throw e;
        }
        return summary.getWorkItems().stream()
                .filter(item -> item.getId().equals(id))
                .findFirst()
                .orElseThrow(() -> ProblemException.notFound("open work item " + id));
    }
}
