package dev.loopline.gateway.query;

import dev.loopline.api.internal.InstanceSummary;
import dev.loopline.api.internal.MessageEntry;
import dev.loopline.api.v1.InstanceTransition;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The query stores of this process (by partition of {@code loopline.transitions}), and where the
 * other partitions are served. Reads see committed state only. The Kafka Streams implementation
 * is {@code QueryApplication}.
 */
public interface QueryStores {

    /** The number of partitions of the transitions topic: a complete answer covers all of them. */
    int partitionCount();

    /** The partitions this process serves now (their active task is here and running). */
    Set<Integer> partitions();

    /** Where the instance's partition is served now. */
    Location locate(String instanceId);

    /** This process's {@code host:port} as its peers reach it, or null before it started. */
    String self();

    /** The other processes that serve partitions now, as {@code host:port}. */
    Set<String> peers();

    /**
     * True once the stores have been restored after the start: later rebalances answer 503 per
     * request, and do not make the process unready.
     */
    default boolean restored() {
        return true;
    }

    /** True while the application runs (or is rebalancing); false once it failed or stopped. */
    boolean isRunning();

    Optional<InstanceSummary> summary(int partition, String instanceId);

    /** The instance's transitions, in sequence order. */
    List<InstanceTransition> history(int partition, String instanceId);

    /** Index entries (key → instance id) with keys from {@code from} (inclusive) to {@code to} (exclusive), in key order. */
    Scan index(int partition, String from, String to);

    /** A message the runtime posted to the instance of this partition, with its first answer, if any. */
    Optional<MessageEntry> message(int partition, String messageId);

    /** The partition's counts ({@link IndexKeys#count} → number). */
    Map<String, Long> counts(int partition);

    /** An open range of index entries; close it. */
    interface Scan extends Iterator<Map.Entry<String, String>>, AutoCloseable {
        @Override
        void close();
    }

    /**
     * Where an instance's partition is served.
     *
     * @param partition its partition
     * @param host the {@code host:port} of the process serving it, or null while no process does (a rebalance or a restore)
     * @param local true when that process is this one
     */
    record Location(int partition, String host, boolean local) {}

    /** A partition that cannot answer now: its task is restoring, moving, or not here. */
    final class Unavailable extends RuntimeException {

        private final int partition;

        public Unavailable(int partition, String reason) {
            super("partition " + partition + " cannot answer now: " + reason);
            this.partition = partition;
        }

        public int partition() {
            return partition;
        }
    }
}
