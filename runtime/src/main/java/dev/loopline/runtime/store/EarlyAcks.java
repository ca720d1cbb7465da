package dev.loopline.runtime.store;

import dev.loopline.api.internal.EarlyAck;
import dev.loopline.api.v1.Acknowledgement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The "early-acks" store: {@code instanceId → EarlyAck} (the acknowledgement and when it expires;
 * single-object Avro), RocksDB with a changelog, beside the instances.
 *
 * <p>The event half posts a job's "workflow started" message in the same transaction as its start
 * command, so the application can acknowledge it before the instance half has read that command
 * (acks and instance-commands are two partitions of one task, read in no guaranteed order). Such an
 * acknowledgement waits here and is applied right after the start. Only acknowledgements of a
 * "workflow started" message wait: any other one for an unknown instance is rejected at once.
 *
 * <p>An entry whose instance never starts is dead-lettered after the correlation TTL, found by a
 * periodic scan of the whole store ({@link #takeExpired}) rather than by a timer per entry: the
 * store holds only the acknowledgements of the last moments' starts (none at all at moderate rates;
 * a few thousand at most when the instance half runs behind), while a timer per entry would have
 * stayed in the timers store for the whole TTL after its entry was long gone.
 */
public final class EarlyAcks {

    private final KeyValueStore<String, EarlyAck> store;

    private EarlyAcks(KeyValueStore<String, EarlyAck> store) {
        this.store = store;
    }

    public static EarlyAcks from(ProcessorContext<?, ?> context, String storeName) {
        return new EarlyAcks(context.getStateStore(storeName));
    }

    public void put(Acknowledgement ack, Instant expiresAt) {
        store.put(ack.getInstanceId(), new EarlyAck(ack, expiresAt));
    }

    /**
     * Removes and returns the acknowledgement waiting for this instance, if any. Every start asks, and
     * most find nothing: a delete would log a tombstone to the changelog each time (measured: one
     * record per instance), a get on the normally empty store costs a bloom-filter lookup.
     */
    public Optional<Acknowledgement> take(String instanceId) {
        EarlyAck early = store.get(instanceId);
        if (early != null) {
            store.delete(instanceId);
        }
        return Optional.ofNullable(early).map(EarlyAck::getAck);
    }

    /** Removes and returns up to {@code max} acknowledgements that expired at or before {@code now}. */
    public List<Acknowledgement> takeExpired(Instant now, int max) {
        List<EarlyAck> expired = new ArrayList<>();
        try (KeyValueIterator<String, EarlyAck> all = store.all()) {
            while (all.hasNext() && expired.size() < max) {
                EarlyAck early = all.next().value;
                if (!early.getExpiresAt().isAfter(now)) {
                    expired.add(early);
                }
            }
        }
        expired.forEach(early -> store.delete(early.getAck().getInstanceId()));
        return expired.stream().map(EarlyAck::getAck).toList();
    }
}
