package dev.loopline.runtime.domain.event;

import dev.loopline.api.v1.EventWait;
import dev.loopline.api.v1.PlatformEvent;
import dev.loopline.api.v1.Step;
import dev.loopline.api.v1.WatchedEvent;
import dev.loopline.api.v1.WorkflowDefinition;
import dev.loopline.runtime.domain.CorrelationKeys;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which waits an event may end: for every key field that a waiting step of any cataloged
 * definition uses for events of this entity type and name, the event's correlation key {@code
 * <entity type>␟<key field>␟<value>} (see {@link CorrelationKeys}). The correlation half finds the
 * open waits under that key.
 */
public final class EventCorrelation {

    private EventCorrelation() {}

    /**
     * The event's correlation keys, one per watched key field the event has a value for; none for an
     * on-demand start, which starts its definition and nothing else.
     */
    public static List<String> keys(PlatformEvent event, List<WorkflowDefinition> definitions) {
        List<String> keys = new ArrayList<>();
        if (event.getStartsDefinition() != null) {
            return keys;
        }
        for (String keyField : watchedKeyFields(event, definitions)) {
            String value = CorrelationKeys.valueIn(event, keyField);
            if (value != null) {
                keys.add(CorrelationKeys.of(event.getEntityType(), keyField, value));
            }
        }
        return keys;
    }

    /**
     * The key fields that waiting steps of any cataloged definition use for events like this one,
     * in its current version or an earlier one (see {@code EventWaits}).
     */
    static Set<String> watchedKeyFields(PlatformEvent event, List<WorkflowDefinition> definitions) {
        Set<String> fields = new TreeSet<>();
        for (WorkflowDefinition definition : definitions) {
            for (Step step : definition.getSteps()) {
                EventWait wait = step.getEvent();
                if (wait != null
                        && wait.getEntityType().equals(event.getEntityType())
                        && wait.getMessageNames().contains(event.getMessageName())) {
                    fields.add(wait.getKeyField());
                }
            }
            // what steps of earlier versions wait for: their instances still run
            for (WatchedEvent earlier : definition.getEarlierWaits()) {
                if (earlier.getEntityType().equals(event.getEntityType())
                        && earlier.getMessageName().equals(event.getMessageName())) {
                    fields.add(earlier.getKeyField());
                }
            }
        }
        return fields;
    }
}
