package dev.loopline.runtime.domain;

import dev.loopline.api.v1.DefinitionStatus;
import dev.loopline.api.v1.PlatformEvent;
import dev.loopline.api.v1.Trigger;
import dev.loopline.api.v1.WorkflowDefinition;
import dev.loopline.definition.OnDemandInputs;
import dev.loopline.definition.expression.ExpressionException;
import dev.loopline.definition.expression.Expressions;
import dev.loopline.definition.json.FieldError;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Decides whether an event starts an instance of a definition:
 *
 * <ul>
 *   <li>the definition is active;
 *   <li>the event's entity type and message name equal the trigger's;
 *   <li>every filter entry equals the event's attribute of that name (numbers by value: 5 = 5.0);
 *   <li>for an Update trigger with changed attributes, the event changed at least one of them;
 *   <li>the trigger's condition, if any, is true for the event.
 * </ul>
 *
 * An on-demand start names its definition instead: it starts that one if it is active, may be
 * started on demand, and runs on the event's entity type; no subscription matches it, and its
 * definition's filter and condition do not apply (they choose events, and this is a request).
 */
public final class SubscriptionMatcher {

    private final Expressions expressions;

    public SubscriptionMatcher(Expressions expressions) {
        this.expressions = expressions;
    }

    /** Whether the event starts an instance; a condition that cannot be evaluated is an error, not a match. */
    public boolean matches(WorkflowDefinition definition, PlatformEvent event, Instant now) {
        if (definition.getStatus() != DefinitionStatus.ACTIVE) {
            return false;
        }
        Trigger trigger = definition.getTrigger();
        if (event.getStartsDefinition() != null) {
            if (!event.getStartsDefinition().equals(definition.getId())
                    || definition.getOnDemandInputs() == null
                    || !trigger.getEntityType().equals(event.getEntityType())) {
                return false;
            }
            // the gateway checked them; an event written to the topic directly is checked here
            List<FieldError> wrong = OnDemandInputs.checkValues(definition.getOnDemandInputs(), event.getInputs());
            if (!wrong.isEmpty()) {
                throw new ExpressionException("the initiation data does not satisfy the input schema: " + wrong);
            }
            return true;
        }
        if (trigger.getMessageName().isEmpty()
                || !trigger.getEntityType().equals(event.getEntityType())
                || !trigger.getMessageName().equals(event.getMessageName())) {
            return false;
        }
        for (Map.Entry<String, Object> condition : trigger.getFilter().entrySet()) {
            if (!event.getAttributes().containsKey(condition.getKey())
                    || !sameValue(condition.getValue(), event.getAttributes().get(condition.getKey()))) {
                return false;
            }
        }
        if (!trigger.getChangedAttributes().isEmpty()
                && trigger.getChangedAttributes().stream().noneMatch(event.getChangedAttributes()::contains)) {
            return false;
        }
        return trigger.getCondition() == null
                || expressions.test(trigger.getCondition(), Variables.ofTrigger(event, now));
    }

    /**
     * Like {@link #matches}, but a failing condition or invalid initiation data counts as no match
     * and is described in the exception.
     */
    public boolean matchesOrThrow(WorkflowDefinition definition, PlatformEvent event, Instant now) {
        try {
            return matches(definition, event, now);
        } catch (ExpressionException e) {
            String what = event.getStartsDefinition() != null ? "on-demand start of " : "trigger condition of ";
            throw new ExpressionException(
                    what + definition.getId() + " v" + definition.getVersion() + ": " + e.getMessage(), e);
        }
    }

    static boolean sameValue(Object expected, Object actual) {
        if (expected instanceof Number e && actual instanceof Number a) {
            return Double.compare(e.doubleValue(), a.doubleValue()) == 0;
        }
        return Objects.equals(expected, actual);
    }
}
