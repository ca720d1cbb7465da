package dev.loopline.runtime.store;

import dev.loopline.api.internal.EarlyAck;
import dev.loopline.api.store.StoreKeys;
import dev.loopline.api.v1.Acknowledgement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The "early-acks" store: {@code instanceId␟replyToken → EarlyAck} (the acknowledgement and when
 * it expires; single-object Avro; an acknowledgement without a token has an empty one), RocksDB
 * with a changelog, beside the instances.
 *
 * <p>The event half posts a job's "workflow started" message in the same transaction as its start
 * command, so the application can acknowledge it before the instance half has read that command
 * (acks and instance-commands are two partitions of one task, read in no guaranteed order). Such an
 * acknowledgement waits here and is applied right after the start. Only acknowledgements of a
 * "workflow started" message wait: any other one for an unknown instance is rejected at once.
 *
 * <p>The reply token is part of the key, so that an acknowledgement planted ahead of its event
 * (with a guessed instance and message id, but not the token, which nobody can know before the
 * message is posted) cannot take the place of the real one: the start takes only the entry with
 * its own token ({@link #take}), and the planted ones expire into the dead-letter topic.
 *
 * <p>An entry whose instance never starts is dead-lettered after the correlation TTL, found by a
 * periodic scan ({@link #takeExpired}) rather than by a timer per entry: the store holds only the
 * acknowledgements of starts the instance half has not read yet (none at all at moderate rates),
 * while a timer per entry would have stayed in the timers store for the whole TTL after its entry
 * was long gone. Since the event half runs as its own application it can run far ahead of the
 * instance half (a burst of a million starts), and the store then holds hundreds of thousands of
 * entries for a while; so each scan looks at a bounded number of entries, going on from where the
 * last one stopped.
 */
public final class EarlyAcks {

    private final KeyValueStore<String, EarlyAck> store;
    /** The last key the previous scan looked at, or null to start from the first (kept in memory only). */
    private String scannedUpTo;

    private EarlyAcks(KeyValueStore<String, EarlyAck> store) {
        this.store = store;
    }

    public static EarlyAcks from(ProcessorContext<?, ?> context, String storeName) {
        return new EarlyAcks(context.getStateStore(storeName));
    }

    public void put(Acknowledgement ack, Instant expiresAt) {
        store.put(key(ack.getInstanceId(), ack.getReplyToken()), new EarlyAck(ack, expiresAt));
    }

    private static String key(String instanceId, String replyToken) {
        return StoreKeys.join(instanceId, replyToken == null ? "" : replyToken);
    }

    /**
     * Removes and returns the acknowledgement with this reply token waiting for this instance, if
     * any. Every start asks, and most find nothing: a delete would log a tombstone to the changelog
     * each time (measured: one record per instance), a get on the normally empty store costs a
     * bloom-filter lookup.
     */
    public Optional<Acknowledgement> take(String instanceId, String replyToken) {
        String key = key(instanceId, replyToken);
        EarlyAck early = store.get(key);
        if (early != null) {
            store.delete(key);
        }
        return Optional.ofNullable(early).map(EarlyAck::getAck);
    }

    /**
     * Looks at up to {@code max} entries, after those the previous call looked at (from the first
     * again once it reached the last), and removes and returns the acknowledgements among them that
     * expired at or before {@code now}.
     */
    public List<Acknowledgement> takeExpired(Instant now, int max) {
        List<KeyValue<String, EarlyAck>> expired = new ArrayList<>();
        String last = null;
        int looked = 0;
        try (KeyValueIterator<String, EarlyAck> entries =
                scannedUpTo == null ? store.all() : store.range(scannedUpTo, null)) {
            while (entries.hasNext() && looked < max) {
                KeyValue<String, EarlyAck> entry = entries.next();
                if (entry.key.equals(scannedUpTo)) {
                    continue; // the range starts at the last key looked at, inclusive
                }
                looked++;
                last = entry.key;
                if (!entry.value.getExpiresAt().isAfter(now)) {
                    expired.add(entry);
                }
            }
            scannedUpTo = entries.hasNext() ? last : null;
        }
        expired.forEach(entry -> store.delete(entry.key));
        return expired.stream().map(entry -> entry.value.getAck()).toList();
    }
}
