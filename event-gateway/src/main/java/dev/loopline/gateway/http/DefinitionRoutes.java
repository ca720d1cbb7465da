package dev.loopline.gateway.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loopline.api.v1.DefinitionStatus;
import dev.loopline.api.v1.Step;
import dev.loopline.api.v1.StepKind;
import dev.loopline.api.v1.Trigger;
import dev.loopline.api.v1.WorkflowDefinition;
import dev.loopline.gateway.kafka.DefinitionRepository;
import io.javalin.http.Context;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Definitions for administrators. A definition can be edited only while it is not active; every
 * edit and every activation raises its version, so an activation is a snapshot of one version.
 *
 * <pre>
 * POST /v1/definitions                  create or edit (201), 409 while active
 * GET  /v1/definitions/{id}             200, 404
 * POST /v1/definitions/{id}/activate    200 (idempotent)
 * POST /v1/definitions/{id}/deactivate  200 (idempotent)
 * </pre>
 */
final class DefinitionRoutes {

    private static final Set<String> FIELDS = Set.of("id", "name", "trigger", "steps");
    private static final Set<String> TRIGGER_FIELDS = Set.of("entityType", "messageName", "filter");
    private static final Set<String> STEP_FIELDS = Set.of("name", "kind", "messageName", "payload");
    private static final Map<String, StepKind> STEP_KINDS = Map.of("send-message", StepKind.SEND_MESSAGE);

    private final DefinitionRepository repository;
    private final Clock clock;
    private final Map<String, Object> locks = new ConcurrentHashMap<>();

    DefinitionRoutes(DefinitionRepository repository, Clock clock) {
        this.repository = repository;
        this.clock = clock;
    }

    void save(Context ctx) {
        WorkflowDefinition edited = parse(Json.objectBody(ctx));
        WorkflowDefinition saved;
        synchronized (lock(edited.getId())) {
            Optional<WorkflowDefinition> existing = repository.find(edited.getId());
            if (existing.isPresent() && existing.get().getStatus() == DefinitionStatus.ACTIVE) {
                throw ProblemException.conflict("definition " + edited.getId() + " is active (version "
                        + existing.get().getVersion() + "): deactivate it before editing");
            }
            edited.setVersion(existing.map(d -> d.getVersion() + 1).orElse(1));
            saved = repository.save(edited);
        }
        ctx.header("Location", "/v1/definitions/" + saved.getId());
        Json.respond(ctx, 201, view(saved));
    }

    void get(Context ctx) {
        String id = ctx.pathParam("id");
        Json.respond(ctx, 200, view(repository.find(id).orElseThrow(() -> notFound(id))));
    }

    void activate(Context ctx) {
        changeStatus(ctx, DefinitionStatus.ACTIVE);
    }

    void deactivate(Context ctx) {
        changeStatus(ctx, DefinitionStatus.INACTIVE);
    }

    private void changeStatus(Context ctx, DefinitionStatus status) {
        String id = ctx.pathParam("id");
        WorkflowDefinition result;
        synchronized (lock(id)) {
            WorkflowDefinition current = repository.find(id).orElseThrow(() -> notFound(id));
            if (current.getStatus() == status) {
                result = current;
            } else {
                WorkflowDefinition changed = WorkflowDefinition.newBuilder(current)
                        .setStatus(status)
                        .setVersion(status == DefinitionStatus.ACTIVE ? current.getVersion() + 1 : current.getVersion())
                        .setUpdatedAt(clock.instant())
                        .build();
                result = repository.save(changed);
            }
        }
        Json.respond(ctx, 200, view(result));
    }

    WorkflowDefinition parse(JsonNode body) {
        Fields fields = new Fields();
        fields.onlyKnown(body, "", FIELDS);
        String id = fields.text(body, "id", "id", true);
        String name = fields.text(body, "name", "name", true);
        Trigger trigger = null;
        JsonNode triggerNode = fields.object(body, "trigger", "trigger", true);
        if (triggerNode != null) {
            fields.onlyKnown(triggerNode, "trigger", TRIGGER_FIELDS);
            String entityType = fields.text(triggerNode, "entityType", "trigger.entityType", true);
            String messageName = fields.text(triggerNode, "messageName", "trigger.messageName", true);
            Map<String, Object> filter = fields.scalars(triggerNode, "filter", "trigger.filter");
            trigger = new Trigger(entityType, messageName, filter);
        }
        List<Step> steps = new ArrayList<>();
        JsonNode stepsNode = body.get("steps");
        if (stepsNode == null || !stepsNode.isArray()) {
            fields.error("steps", "expected an array of steps");
        } else {
            for (int i = 0; i < stepsNode.size(); i++) {
                steps.add(parseStep(fields, stepsNode.get(i), "steps[" + i + "]"));
            }
        }
        fields.throwIfInvalid();
        return WorkflowDefinition.newBuilder()
                .setId(id)
                .setVersion(0)
                .setName(name)
                .setStatus(DefinitionStatus.DRAFT)
                .setTrigger(trigger)
                .setSteps(steps)
                .setUpdatedAt(clock.instant())
                .build();
    }

    private static Step parseStep(Fields fields, JsonNode node, String path) {
        if (node == null || !node.isObject()) {
            fields.error(path, "expected an object");
            return null;
        }
        fields.onlyKnown(node, path, STEP_FIELDS);
        String name = fields.text(node, "name", path + ".name", true);
        String kindName = fields.text(node, "kind", path + ".kind", true);
        StepKind kind = kindName == null ? null : STEP_KINDS.get(kindName);
        if (kindName != null && kind == null) {
            fields.error(path + ".kind", "expected one of " + STEP_KINDS.keySet());
        }
        String messageName = fields.text(node, "messageName", path + ".messageName", true);
        Map<String, Object> payload = fields.scalars(node, "payload", path + ".payload");
        return new Step(name, kind, messageName, payload);
    }

    static Map<String, Object> view(WorkflowDefinition definition) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("id", definition.getId());
        view.put("version", definition.getVersion());
        view.put("name", definition.getName());
        view.put("status", definition.getStatus().name());
        Trigger trigger = definition.getTrigger();
        view.put(
                "trigger",
                Map.of(
                        "entityType", trigger.getEntityType(),
                        "messageName", trigger.getMessageName(),
                        "filter", trigger.getFilter()));
        List<Map<String, Object>> steps = new ArrayList<>();
        for (Step step : definition.getSteps()) {
            steps.add(Map.of(
                    "name", step.getName(),
                    "kind", "send-message",
                    "messageName", step.getMessageName(),
                    "payload", step.getPayload()));
        }
        view.put("steps", steps);
        view.put("updatedAt", definition.getUpdatedAt().toString());
        return view;
    }

    private Object lock(String id) {
        return locks.computeIfAbsent(id, k -> new Object());
    }

    private static ProblemException notFound(String id) {
        return ProblemException.notFound("definition " + id);
    }
}
