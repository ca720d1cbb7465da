package dev.loopline.gateway.http;

import dev.loopline.api.v1.InstanceTransition;
import dev.loopline.gateway.kafka.InstanceProjection;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /v1/instances/{id}}: the instance's current state and its transitions, from the
 * committed transitions topic (see {@link InstanceProjection} for the consistency this gives).
 */
final class InstanceRoutes {

    private final InstanceProjection instances;

    InstanceRoutes(InstanceProjection instances) {
        this.instances = instances;
    }

    void get(Context ctx) {
        String id = ctx.pathParam("id");
        List<InstanceTransition> transitions =
                instances.transitions(id).orElseThrow(() -> ProblemException.notFound("instance " + id));
        InstanceTransition last = transitions.get(transitions.size() - 1);
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("instanceId", id);
        view.put("definitionId", last.getDefinitionId());
        view.put("definitionVersion", last.getDefinitionVersion());
        view.put("state", last.getState().name());
        view.put("statusCode", last.getStatusCode());
        view.put("reason", last.getReason());
        view.put("updatedAt", last.getTimestamp().toString());
        view.put("transitions", transitions.stream().map(InstanceRoutes::view).toList());
        Json.respond(ctx, 200, view);
    }

    private static Map<String, Object> view(InstanceTransition t) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("sequence", t.getSequence());
        view.put("state", t.getState().name());
        view.put("statusCode", t.getStatusCode());
        view.put("timestamp", t.getTimestamp().toString());
        view.put("reason", t.getReason());
        return view;
    }
}
