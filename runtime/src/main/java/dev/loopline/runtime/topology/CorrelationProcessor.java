package dev.loopline.runtime.topology;

import dev.loopline.api.internal.BufferedEvent;
import dev.loopline.api.internal.CloseWait;
import dev.loopline.api.internal.CorrelateEvent;
import dev.loopline.api.internal.CorrelationCommand;
import dev.loopline.api.internal.DeliverEvent;
import dev.loopline.api.internal.InstanceCommand;
import dev.loopline.api.internal.OpenWait;
import dev.loopline.api.v1.PlatformEvent;
import dev.loopline.runtime.store.CorrelationStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * The correlation half, keyed by correlation key: it routes events to the instances waiting for
 * them without the sender knowing any instance id (Zeebe's message subscriptions).
 *
 * <ul>
 *   <li>OpenWait: index the wait, then hand it the buffered events it has not had yet;
 *   <li>CloseWait: drop the index entry, so the index does not grow;
 *   <li>CorrelateEvent: deliver to every open wait for the event's name (one event reaches all
 *       waiting instances), then buffer it for the TTL; a repeated event id is ignored.
 * </ul>
 *
 * Deliveries go to the instance-commands topic keyed by instance id. A wall-clock punctuator
 * removes expired events.
 */
final class CorrelationProcessor implements Processor<String, CorrelationCommand, String, InstanceCommand> {

    private final TopologyOptions options;
    private ProcessorContext<String, InstanceCommand> context;
    private CorrelationStore store;

    /** How many waits an event remembers it was delivered to (see {@link #newest}). */
    static final int DELIVERIES_KEPT = 1_000;

    CorrelationProcessor(TopologyOptions options) {
        this.options = options;
    }

    @Override
    public void init(ProcessorContext<String, InstanceCommand> context) {
        this.context = context;
        this.store = CorrelationStore.from(
                context,
                LooplineTopology.CORRELATION_WAITS_STORE,
                LooplineTopology.CORRELATION_BUFFER_STORE,
                LooplineTopology.CORRELATION_EXPIRY_STORE);
        context.schedule(
                options.timerInterval().multipliedBy(5),
                PunctuationType.WALL_CLOCK_TIME,
                now -> store.expire(Instant.ofEpochMilli(now), options.maxTimersPerScan()));
    }

    @Override
    public void process(Record<String, CorrelationCommand> record) {
        CorrelationCommand command = record.value();
        if (command == null) {
            throw new RejectedRecordException("correlation command without a value");
        }
        String key = command.getCorrelationKey();
        Object body = command.getCommand();
        long now = ProcessingTime.of(record, context);
        // A delivery carries the trace context of the record that caused it: the event's, or, for a
        // buffered event handed to a new wait, the waiting instance's.
        Headers headers = record.headers();
        if (body instanceof OpenWait wait) {
            open(key, wait, now, headers);
        } else if (body instanceof CloseWait close) {
            store.closeWait(key, close.getInstanceId(), close.getWaitId());
        } else if (body instanceof CorrelateEvent correlate) {
            correlate(key, correlate.getEvent(), now, headers);
        } else {
            throw new RejectedRecordException("unknown correlation command " + body);
        }
    }

    /**
     * Hands a new wait the buffered events it has not had, oldest first. The instance takes the
     * first that ends the wait and ignores the rest (they stay buffered for its next wait), and it
     * drops any event it already consumed.
     */
    private void open(String key, OpenWait wait, long timestamp, Headers headers) {
        store.openWait(key, wait);
        Instant now = Instant.ofEpochMilli(timestamp);
        List<BufferedEvent> buffered = new ArrayList<>(store.buffered(key));
        buffered.sort(Comparator.comparing(BufferedEvent::getExpiresAt)); // the TTL is fixed: arrival order
        for (BufferedEvent event : buffered) {
            if (event.getExpiresAt().isAfter(now)
                    && wait.getMessageNames().contains(event.getEvent().getMessageName())
                    && !event.getDeliveredTo().contains(tag(wait))) {
                deliver(wait, event.getEvent(), timestamp, headers);
                store.buffer(key, deliveredTo(event, tag(wait)), false);
            }
        }
    }

    private void correlate(String key, PlatformEvent event, long timestamp, Headers headers) {
        if (store.buffered(key, event.getEventId()).isPresent()) {
            return; // the same event again: delivered once
        }
        List<String> reached = new ArrayList<>();
        for (OpenWait wait : store.waits(key)) {
            if (wait.getMessageNames().contains(event.getMessageName())) {
                deliver(wait, event, timestamp, headers);
                reached.add(tag(wait));
            }
        }
        Instant expiresAt = Instant.ofEpochMilli(timestamp).plus(options.correlationTtl());
        store.buffer(key, new BufferedEvent(event, expiresAt, newest(reached)), true);
    }

    private void deliver(OpenWait wait, PlatformEvent event, long timestamp, Headers headers) {
        InstanceCommand delivery = new InstanceCommand(wait.getInstanceId(), new DeliverEvent(wait.getWaitId(), event));
        context.forward(new Record<>(wait.getInstanceId(), delivery, timestamp, new RecordHeaders(headers.toArray())));
    }
    /**
     * Deliveries are recorded per wait, not per instance: an event handed to a wait that had just
     * closed (the instance ignores it) must still reach the instance's next wait.
     */
    private static String tag(OpenWait wait) {
        return wait.getInstanceId() + "/" + wait.getWaitId();
    }

    private static BufferedEvent deliveredTo(BufferedEvent buffered, String tag) {
        List<String> delivered = new ArrayList<>(buffered.getDeliveredTo());
        delivered.add(tag);
        return new BufferedEvent(buffered.getEvent(), buffered.getExpiresAt(), newest(delivered));
    }

    /**
     * The newest {@value #DELIVERIES_KEPT} delivery tags: without a bound, an event on a key that
     * thousands of instances wait for would grow its buffer entry past what Kafka can write. Only
     * waits that already had the event drop out, and a wait is opened once, so none gets it twice.
     */
    static List<String> newest(List<String> tags) {
        return tags.size() <= DELIVERIES_KEPT
                ? tags
                : List.copyOf(tags.subList(tags.size() - DELIVERIES_KEPT, tags.size()));
    }
}
