package dev.loopline.runtime.store;

import dev.loopline.api.internal.TimerEntry;
import dev.loopline.api.store.StoreKeys;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The "timers" store: a time-ordered index of wake-ups, co-located with the instances it wakes.
 * Key: {@code <due time, 16 hex digits of epoch ms>␟<instance id>␟<wait id>} → {@link TimerEntry}.
 * Byte order is time order, so the due timers are one range scan from the start. Firing deletes the
 * entry in the same transaction as the instance's change, so a timer fires exactly once.
 */
public final class TimerStore {

    private static final String FIRST = "0000000000000000";
    private final KeyValueStore<String, TimerEntry> store;

    private TimerStore(KeyValueStore<String, TimerEntry> store) {
        this.store = store;
    }

    public static TimerStore from(ProcessorContext<?, ?> context, String storeName) {
        return new TimerStore(context.getStateStore(storeName));
    }

    public void set(Instant dueAt, String instanceId, String waitId) {
        store.put(StoreKeys.join(StoreKeys.time(dueAt), instanceId, waitId), new TimerEntry(instanceId, waitId));
    }

    public void cancel(Instant dueAt, String instanceId, String waitId) {
        store.delete(StoreKeys.join(StoreKeys.time(dueAt), instanceId, waitId));
    }

    /** Up to {@code max} timers due at or before {@code now}, earliest first. */
    public List<Due> due(Instant now, int max) {
        List<Due> due = new ArrayList<>();
        String end = StoreKeys.time(now) + StoreKeys.AFTER_SEPARATOR;
        try (KeyValueIterator<String, TimerEntry> iterator = store.range(FIRST, end)) {
            while (iterator.hasNext() && due.size() < max) {
                KeyValue<String, TimerEntry> entry = iterator.next();
                due.add(new Due(entry.key, entry.value));
            }
        }
        return due;
    }

    public void delete(Due timer) {
        store.delete(timer.key());
    }

    /** A due timer and its store key. */
    public record Due(String key, TimerEntry entry) {

        /** When it was due. */
        public Instant dueAt() {
            return StoreKeys.timeOf(key);
        }
    }
}
