package dev.loopline.runtime.domain;

import dev.loopline.api.v1.DefinitionStatus;
import dev.loopline.api.v1.PlatformEvent;
import dev.loopline.api.v1.Trigger;
import dev.loopline.api.v1.WorkflowDefinition;
import java.util.Map;
import java.util.Objects;

/**
 * Decides whether an event starts an instance of a definition: the definition is active, the
 * event's entity type and message name equal the trigger's, and every filter entry equals the
 * event's attribute of that name (numbers compare by value, so 5 matches 5.0).
 */
public final class SubscriptionMatcher {

    private SubscriptionMatcher() {}

    public static boolean matches(WorkflowDefinition definition, PlatformEvent event) {
        if (definition.getStatus() != DefinitionStatus.ACTIVE) {
            return false;
        }
        Trigger trigger = definition.getTrigger();
        if (!trigger.getEntityType().equals(event.getEntityType())
                || !trigger.getMessageName().equals(event.getMessageName())) {
            return false;
        }
        for (Map.Entry<String, Object> condition : trigger.getFilter().entrySet()) {
            if (!event.getAttributes().containsKey(condition.getKey())
                    || !sameValue(condition.getValue(), event.getAttributes().get(condition.getKey()))) {
                return false;
            }
        }
        return true;
    }

    static boolean sameValue(Object expected, Object actual) {
        if (expected instanceof Number e && actual instanceof Number a) {
            return Double.compare(e.doubleValue(), a.doubleValue()) == 0;
        }
        return Objects.equals(expected, actual);
    }
}
