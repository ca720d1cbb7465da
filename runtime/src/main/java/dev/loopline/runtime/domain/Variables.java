package dev.loopline.runtime.domain;

import dev.loopline.api.internal.InstanceRecord;
import dev.loopline.api.v1.PlatformEvent;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * The variables an expression sees. Instance variables are stored flat ("steps.review.outcome",
 * "vars.total") and presented nested: {@code steps.review.outcome}, {@code vars.total}.
 */
public final class Variables {

    public static final String STEPS = "steps.";
    public static final String VARS = "vars.";

    private Variables() {}

    public static Map<String, Object> of(InstanceRecord instance, PlatformEvent event, Instant now) {
        Map<String, Object> variables = new HashMap<>();
        variables.put("trigger", event(instance.getTrigger()));
        Map<String, Object> steps = new HashMap<>();
        Map<String, Object> vars = new HashMap<>();
        instance.getVariables().forEach((key, value) -> {
            if (key.startsWith(STEPS)) {
                String rest = key.substring(STEPS.length());
                int dot = rest.indexOf('.');
                if (dot > 0) {
                    nested(steps, rest.substring(0, dot)).put(rest.substring(dot + 1), value);
                }
            } else if (key.startsWith(VARS)) {
                vars.put(key.substring(VARS.length()), value);
            }
        });
        variables.put("steps", steps);
        variables.put("vars", vars);
        if (event != null) {
            variables.put("event", event(event));
        }
        variables.put("now", now);
        return variables;
    }

    /** For trigger conditions: only the event, as "trigger". */
    public static Map<String, Object> ofTrigger(PlatformEvent event, Instant now) {
        return Map.of("trigger", event(event), "now", now);
    }

    public static Map<String, Object> event(PlatformEvent event) {
        Map<String, Object> map = new HashMap<>();
        map.put("eventId", event.getEventId());
        map.put("source", event.getSource());
        map.put("entityType", event.getEntityType());
        map.put("entityId", event.getEntityId());
        map.put("messageName", event.getMessageName());
        map.put("attributes", new HashMap<>(event.getAttributes()));
        map.put("changedAttributes", event.getChangedAttributes());
        map.put("occurredAt", event.getOccurredAt());
        map.put("inputs", new HashMap<>(event.getInputs()));
        return map;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> nested(Map<String, Object> parent, String name) {
        return (Map<String, Object>) parent.computeIfAbsent(name, n -> new HashMap<String, Object>());
    }
}
