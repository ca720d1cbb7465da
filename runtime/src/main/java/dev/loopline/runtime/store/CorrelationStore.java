package dev.loopline.runtime.store;

import dev.loopline.api.internal.BufferedEvent;
import dev.loopline.api.internal.OpenWait;
import dev.loopline.api.store.StoreKeys;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The correlation half's state, partitioned by correlation key:
 *
 * <ul>
 *   <li>"correlation-waits": {@code <correlation key>␟<instance id>␟<wait id>} → {@link OpenWait}:
 *       who waits for what; removed when the wait closes;
 *   <li>"correlation-buffer": {@code <correlation key>␟<event id>} → {@link BufferedEvent}: events
 *       kept for waits that open later, with the instances they reached;
 *   <li>"correlation-expiry": {@code <expiry, 16 hex digits>␟<correlation key>␟<event id>} → event
 *       id: the time-ordered index that removes buffered events when they expire.
 * </ul>
 */
public final class CorrelationStore {

    private final KeyValueStore<String, OpenWait> waits;
    private final KeyValueStore<String, BufferedEvent> buffer;
    private final KeyValueStore<String, String> expiry;

    private CorrelationStore(
            KeyValueStore<String, OpenWait> waits,
            KeyValueStore<String, BufferedEvent> buffer,
            KeyValueStore<String, String> expiry) {
        this.waits = waits;
        this.buffer = buffer;
        this.expiry = expiry;
    }

    public static CorrelationStore from(
            ProcessorContext<?, ?> context, String waitsStore, String bufferStore, String expiryStore) {
        return new CorrelationStore(
                context.getStateStore(waitsStore),
                context.getStateStore(bufferStore),
                context.getStateStore(expiryStore));
    }

    public void openWait(String correlationKey, OpenWait wait) {
        waits.put(StoreKeys.join(correlationKey, wait.getInstanceId(), wait.getWaitId()), wait);
    }

    public void closeWait(String correlationKey, String instanceId, String waitId) {
        waits.delete(StoreKeys.join(correlationKey, instanceId, waitId));
    }

    public List<OpenWait> waits(String correlationKey) {
        List<OpenWait> found = new ArrayList<>();
        try (KeyValueIterator<String, OpenWait> iterator =
                waits.range(StoreKeys.prefix(correlationKey), StoreKeys.prefixEnd(correlationKey))) {
            iterator.forEachRemaining(entry -> found.add(entry.value));
        }
        return found;
    }

    public Optional<BufferedEvent> buffered(String correlationKey, String eventId) {
        return Optional.ofNullable(buffer.get(StoreKeys.join(correlationKey, eventId)));
    }

    public List<BufferedEvent> buffered(String correlationKey) {
        List<BufferedEvent> found = new ArrayList<>();
        try (KeyValueIterator<String, BufferedEvent> iterator =
                buffer.range(StoreKeys.prefix(correlationKey), StoreKeys.prefixEnd(correlationKey))) {
            iterator.forEachRemaining(entry -> found.add(entry.value));
        }
        return found;
    }

    /** Stores (or updates) a buffered event; a new one is also indexed by its expiry. */
    public void buffer(String correlationKey, BufferedEvent event, boolean isNew) {
        String eventId = event.getEvent().getEventId();
        buffer.put(StoreKeys.join(correlationKey, eventId), event);
        if (isNew) {
            expiry.put(StoreKeys.join(StoreKeys.time(event.getExpiresAt()), correlationKey, eventId), eventId);
        }
    }

    /** Removes up to {@code max} buffered events that expired at or before {@code now}; returns how many. */
    public int expire(Instant now, int max) {
        List<String> expired = new ArrayList<>();
        try (KeyValueIterator<String, String> iterator =
                expiry.range("0000000000000000", StoreKeys.time(now) + StoreKeys.AFTER_SEPARATOR)) {
            while (iterator.hasNext() && expired.size() < max) {
                KeyValue<String, String> entry = iterator.next();
                expired.add(entry.key);
            }
        }
        for (String key : expired) {
            String rest = key.substring(key.indexOf(StoreKeys.SEPARATOR) + 1); // <correlation key>␟<event id>
            buffer.delete(rest);
            expiry.delete(key);
        }
        return expired.size();
    }
}
