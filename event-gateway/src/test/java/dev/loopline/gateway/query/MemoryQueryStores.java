package dev.loopline.gateway.query;

import dev.loopline.api.internal.InstanceSummary;
import dev.loopline.api.internal.MessageEntry;
import dev.loopline.api.store.StoreKeys;
import dev.loopline.api.v1.InstanceTransition;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The query stores in sorted maps, filled through {@link ReadModel} as the Streams processor
 * fills RocksDB, with every partition served here: for tests of what the query API does with the
 * stores' contents (paging, merging, filters), apart from Kafka. Partitions can be taken away to
 * see what an answer without them is.
 */
public final class MemoryQueryStores implements QueryStores {

    private final int partitionCount;
    private final Set<Integer> served = new TreeSet<>();
    private final List<TreeMap<String, InstanceSummary>> summaries = new ArrayList<>();
    private final List<TreeMap<String, InstanceTransition>> history = new ArrayList<>();
    private final List<TreeMap<String, String>> index = new ArrayList<>();
    private final List<TreeMap<String, Long>> counts = new ArrayList<>();
    private final Map<String, MessageEntry> messages = new java.util.concurrent.ConcurrentHashMap<>();
    private RuntimeException broken;

    public MemoryQueryStores(int partitionCount) {
        this.partitionCount = partitionCount;
        for (int p = 0; p < partitionCount; p++) {
            served.add(p);
            summaries.add(new TreeMap<>());
            history.add(new TreeMap<>());
            index.add(new TreeMap<>());
            counts.add(new TreeMap<>());
        }
    }

    /** Applies a transition to its instance's partition, as the query topology does. */
    public synchronized void apply(InstanceTransition t) {
        int p = partitionOf(t.getInstanceId());
        history.get(p).put(StoreKeys.join(t.getInstanceId(), StoreKeys.digits(t.getSequence(), 10)), t);
        ReadModel.Change change = ReadModel.apply(summaries.get(p).get(t.getInstanceId()), t);
        if (change.isNone()) {
            return;
        }
        summaries.get(p).put(t.getInstanceId(), change.summary());
        change.indexOut().forEach(index.get(p)::remove);
        change.indexIn().forEach(key -> index.get(p).put(key, t.getInstanceId()));
        if (change.countDown() != null) {
            counts.get(p).merge(change.countDown(), -1L, Long::sum);
            counts.get(p).remove(change.countDown(), 0L);
        }
        if (change.countUp() != null) {
            counts.get(p).merge(change.countUp(), 1L, Long::sum);
        }
    }

    /** This process stops serving the partition (as while it is restored elsewhere). */
    public synchronized void drop(int partition) {
        served.remove(partition);
    }

    /** Every read of a store throws this from now on, as a store that fails in a way nobody foresaw. */
    public synchronized void breakWith(RuntimeException failure) {
        broken = failure;
    }

    public int partitionOf(String instanceId) {
        return Math.floorMod(instanceId.hashCode(), partitionCount);
    }

    @Override
    public int partitionCount() {
        return partitionCount;
    }

    @Override
    public synchronized Set<Integer> partitions() {
        return Set.copyOf(served);
    }

    @Override
    public synchronized Location locate(String instanceId) {
        int p = partitionOf(instanceId);
        return served.contains(p) ? new Location(p, "localhost:0", true) : new Location(p, null, false);
    }

    @Override
    public String self() {
        return "localhost:0";
    }

    @Override
    public Set<String> peers() {
        return Set.of();
    }

    @Override
    public boolean isRunning() {
        return true;
    }

    @Override
    public synchronized Optional<InstanceSummary> summary(int partition, String instanceId) {
        return Optional.ofNullable(served(partition, summaries).get(instanceId));
    }

    @Override
    public synchronized List<InstanceTransition> history(int partition, String instanceId) {
        return List.copyOf(served(partition, history)
                .subMap(StoreKeys.prefix(instanceId), StoreKeys.prefixEnd(instanceId))
                .values());
    }

    @Override
    public synchronized Scan index(int partition, String from, String to) {
        Iterator<Map.Entry<String, String>> entries = List.copyOf(
                        served(partition, index).subMap(from, to).entrySet())
                .iterator();
        return new Scan() {
            @Override
            public boolean hasNext() {
                return entries.hasNext();
            }

            @Override
            public Map.Entry<String, String> next() {
                return entries.next();
            }

            @Override
            public void close() {}
        };
    }

    @Override
    public Optional<MessageEntry> message(int partition, String messageId) {
        if (!served.contains(partition)) {
            throw new Unavailable(partition, "not served here");
        }
        return Optional.ofNullable(messages.get(messageId));
    }

    /** Keeps a message, as the query topology does from the messages and acks topics. */
    public void put(MessageEntry entry) {
        messages.put(entry.getMessageId(), entry);
    }

    @Override
    public synchronized Map<String, Long> counts(int partition) {
        return Map.copyOf(served(partition, counts));
    }

    private <T> T served(int partition, List<T> stores) {
        if (broken != null) {
            throw broken;
        }
        if (!served.contains(partition)) {
            throw new Unavailable(partition, "not served here");
        }
        return stores.get(partition);
    }
}
