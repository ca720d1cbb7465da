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
import java.util.List;
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
        if (body instanceof OpenWait wait) {
            open(key, wait, record.timestamp());
        } else if (body instanceof CloseWait close) {
            store.closeWait(key, close.getInstanceId(), close.getWaitId());
        } else if (body instanceof CorrelateEvent correlate) {
            correlate(key, correlate.getEvent(), record.timestamp());
        } else {
            throw new RejectedRecordException("unknown correlation command " + body);
        }
    }

    private void open(String key, OpenWait wait, long timestamp) {
        store.openWait(key, wait);
        Instant now = Instant.ofEpochMilli(timestamp);
        for (BufferedEvent buffered : store.buffered(key)) {
            if (buffered.getExpiresAt().isAfter(now)
                    && wait.getMessageNames().contains(buffered.getEvent().getMessageName())
                    && !buffered.getDeliveredTo().contains(wait.getInstanceId())) {
                deliver(wait, buffered.getEvent(), timestamp);
                store.buffer(key, deliveredTo(buffered, List.of(wait.getInstanceId())), false);
            }
        }
    }

    private void correlate(String key, PlatformEvent event, long timestamp) {
        if (store.buffered(key, event.getEventId()).isPresent()) {
            return; // the same event again: delivered once
        }
        List<String> reached = new ArrayList<>();
        for (OpenWait wait : store.waits(key)) {
            if (wait.getMessageNames().contains(event.getMessageName()) && !reached.contains(wait.getInstanceId())) {
                deliver(wait, event, timestamp);
                reached.add(wait.getInstanceId());
            }
        }
        Instant expiresAt = Instant.ofEpochMilli(timestamp).plus(options.correlationTtl());
        store.buffer(key, new BufferedEvent(event, expiresAt, reached), true);
    }

    private void deliver(OpenWait wait, PlatformEvent event, long timestamp) {
        InstanceCommand delivery = new InstanceCommand(wait.getInstanceId(), new DeliverEvent(wait.getWaitId(), event));
        context.forward(new Record<>(wait.getInstanceId(), delivery, timestamp));
    }

    private static BufferedEvent deliveredTo(BufferedEvent buffered, List<String> more) {
        List<String> delivered = new ArrayList<>(buffered.getDeliveredTo());
        delivered.addAll(more);
        return new BufferedEvent(buffered.getEvent(), buffered.getExpiresAt(), delivered);
    }
}
