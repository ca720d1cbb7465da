package dev.loopline.definition;

import dev.loopline.api.v1.EventWait;
import dev.loopline.api.v1.Step;
import dev.loopline.api.v1.WatchedEvent;
import dev.loopline.api.v1.WorkflowDefinition;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The events a definition's waiting steps listen for, by shape (entity type, message name, key
 * field), across its versions. The event half correlates an event only if some definition waits
 * for its shape; instances keep the version they started with, so a new version that drops a wait
 * must not stop the events its older instances wait for. Each saved version therefore carries the
 * shapes its predecessors waited for and it does not ({@code earlierWaits}).
 *
 * <p>At most {@value #MAX_EARLIER_WAITS} are carried, the most recently dropped kept: a definition
 * edited that often that keeps instances of each version waiting is not a case this bounds well.
 */
public final class EventWaits {

    /** How many shapes of earlier versions a version carries at most. */
    public static final int MAX_EARLIER_WAITS = 100;

    private EventWaits() {}

    /** The shapes the definition's own steps wait for, in program order. */
    public static Set<WatchedEvent> of(WorkflowDefinition definition) {
        Set<WatchedEvent> shapes = new LinkedHashSet<>();
        for (Step step : definition.getSteps()) {
            EventWait wait = step.getEvent();
            if (wait != null) {
                for (String message : wait.getMessageNames()) {
                    shapes.add(new WatchedEvent(wait.getEntityType(), message, wait.getKeyField()));
                }
            }
        }
        return shapes;
    }

    /**
     * What a new version carries: the shapes the earlier versions waited for, or carried, that the
     * new version's steps do not wait for themselves; the most recently waited for last.
     *
     * @param earlier the definition's saved versions, oldest first
     */
    public static List<WatchedEvent> carried(List<WorkflowDefinition> earlier, WorkflowDefinition edited) {
        Set<WatchedEvent> carried = new LinkedHashSet<>();
        for (WorkflowDefinition version : earlier) {
            carried.addAll(version.getEarlierWaits());
            for (WatchedEvent shape : of(version)) {
                carried.remove(shape); // most recently waited for: last
                carried.add(shape);
            }
        }
        carried.removeAll(of(edited));
        List<WatchedEvent> kept = new ArrayList<>(carried);
        return List.copyOf(kept.subList(Math.max(0, kept.size() - MAX_EARLIER_WAITS), kept.size()));
    }
}
