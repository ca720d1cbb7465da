package dev.loopline.runtime.domain.event;

import dev.loopline.api.internal.StartInstance;
import dev.loopline.api.internal.TokenQueue;
import java.time.Instant;
import java.util.List;

/**
 * A job an event starts: its start command, and the event half's state after it.
 *
 * @param instanceId the job's instance id (from the event id and the definition id)
 * @param command the start command for the instance half
 * @param runs the definition's runs on the event's record, this one included, for the loop guard
 * @param queue the event's entity's token queue after the job asked for the token
 * @param startsNow whether the job runs at once (new, granted, not postponed, not stopped): the event
 *     half posts its "workflow started" message itself
 */
public record JobStart(
        String instanceId, StartInstance command, List<Instant> runs, TokenQueue queue, boolean startsNow) {

    /** Whether the loop guard stopped the job. */
    public boolean loopStopped() {
        return command.getLoopError() != null;
    }

    /** Whether the job is postponed because its definition is failing. */
    public boolean postponed() {
        return command.getPostponeUntil() != null;
    }
}
