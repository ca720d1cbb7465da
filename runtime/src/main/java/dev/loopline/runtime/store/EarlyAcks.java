package dev.loopline.runtime.store;

import dev.loopline.api.v1.Acknowledgement;
import java.util.Optional;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The "early-acks" store: {@code instanceId → Acknowledgement} (single-object Avro), RocksDB with a
 * changelog, beside the instances.
 *
 * <p>The event half posts a job's "workflow started" message in the same transaction as its start
 * command, so the application can acknowledge it before the instance half has read that command
 * (acks and instance-commands are two partitions of one task, read in no guaranteed order). Such an
 * acknowledgement waits here and is applied right after the start. Only acknowledgements of a
 * "workflow started" message wait: any other one for an unknown instance is rejected at once. An
 * entry whose instance never starts is dead-lettered after the correlation TTL (a timer with the
 * reserved wait id {@link #TIMER_WAIT_ID}). It is normally empty.
 */
public final class EarlyAcks {

    /** The wait id of the timer that expires an early acknowledgement. */
    public static final String TIMER_WAIT_ID = "early-ack";

    private final KeyValueStore<String, Acknowledgement> store;

    private EarlyAcks(KeyValueStore<String, Acknowledgement> store) {
        this.store = store;
    }

    public static EarlyAcks from(ProcessorContext<?, ?> context, String storeName) {
        return new EarlyAcks(context.getStateStore(storeName));
    }

    public void put(Acknowledgement ack) {
        store.put(ack.getInstanceId(), ack);
    }

    /**
     * Removes and returns the acknowledgement waiting for this instance, if any. Every start asks, and
     * most find nothing: a delete would log a tombstone to the changelog each time (measured: one
     * record per instance), a get on the normally empty store costs a bloom-filter lookup.
     */
    public Optional<Acknowledgement> take(String instanceId) {
        Acknowledgement ack = store.get(instanceId);
        if (ack != null) {
            store.delete(instanceId);
        }
        return Optional.ofNullable(ack);
    }
}
