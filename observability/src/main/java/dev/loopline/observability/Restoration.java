package dev.loopline.observability;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.processor.StateRestoreListener;

/**
 * Which changelog partitions of a process's active tasks are being restored now, for readiness:
 * Kafka Streams reports RUNNING once the group has assigned the tasks, while their stores may still
 * be restoring in the background.
 */
public final class Restoration implements StateRestoreListener {

    /** Reports {@link #partitions()} as {@code loopline_restoring_partitions}. */
    public Restoration(MeterRegistry registry) {
        Gauge.builder(LooplineMetrics.RESTORING_PARTITIONS.name(), this, Restoration::partitions)
                .description(LooplineMetrics.RESTORING_PARTITIONS.doc())
                .register(registry);
    }

    private final Set<TopicPartition> restoring = ConcurrentHashMap.newKeySet();
    private final AtomicLong remaining = new AtomicLong();

    @Override
    public void onRestoreStart(TopicPartition partition, String store, long startingOffset, long endingOffset) {
        restoring.add(partition);
        remaining.addAndGet(Math.max(0, endingOffset - startingOffset));
    }

    @Override
    public void onBatchRestored(TopicPartition partition, String store, long batchEndOffset, long numRestored) {
        remaining.addAndGet(-numRestored);
    }

    @Override
    public void onRestoreEnd(TopicPartition partition, String store, long totalRestored) {
        done(partition);
    }

    @Override
    public void onRestoreSuspended(TopicPartition partition, String store, long totalRestored) {
        done(partition);
    }

    private void done(TopicPartition partition) {
        restoring.remove(partition);
        if (restoring.isEmpty()) {
            remaining.set(0);
        }
    }

    /** Changelog partitions being restored now. */
    public int partitions() {
        return restoring.size();
    }

    /** Records left to restore, as the changelogs' end offsets said when each restore began. */
    public long remainingRecords() {
        return Math.max(0, remaining.get());
    }
}
