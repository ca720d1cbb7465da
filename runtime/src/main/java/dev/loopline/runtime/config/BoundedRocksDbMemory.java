package dev.loopline.runtime.config;

import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.state.RocksDBConfigSetter;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Cache;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.WriteBufferManager;

/**
 * One memory budget for every RocksDB store of a runtime process, the recipe of the Kafka Streams
 * memory-management guide. Without it each store instance (a store per task: 9 stores × the
 * partitions a process owns) takes its own 50 MiB block cache and up to 3 × 16 MiB of memtables,
 * so off-heap memory grows with the partition count rather than with the data.
 *
 * <p>Here all stores of one process share one LRU cache of {@link #MEMORY_BYTES} bytes; the
 * memtables are charged to it (a quarter of the budget) through a write buffer manager, and index
 * and filter blocks live in it at high priority, so the budget bounds them too. Bloom filters stay
 * on (Kafka Streams' default table configuration). Idle instances then cost disk, not memory.
 */
public final class BoundedRocksDbMemory implements RocksDBConfigSetter {

    /** Streams property: the process's RocksDB budget in bytes (from LOOPLINE_ROCKSDB_MEMORY_MB). */
    public static final String MEMORY_BYTES = "loopline.rocksdb.memory.bytes";

    /**
     * Streams property: the name of the budget the stores share. A runtime process runs two
     * applications (see {@code LooplineRuntime}) and gives both the same name, so that it has one
     * budget; without it, the application id.
     */
    public static final String BUDGET = "loopline.rocksdb.budget";

    private static final double INDEX_FILTER_RATIO = 0.1;

    /**
     * The budgets in use in this JVM by name. A budget lives while a store uses it: each store that
     * is configured takes a reference, its close gives it back, and the last one closes the cache and
     * the write buffer manager, so a process that opens and closes applications (tests, a restarted
     * application) does not keep their native memory.
     */
    private static final Map<String, Budget> BUDGETS = new HashMap<>();

    /** The budget each store configured by this setter holds; Streams makes one setter per store. */
    private final Map<Options, Budget> held = new IdentityHashMap<>();

    private static final class Budget {
        private final String name;
        private final Cache cache;
        private final WriteBufferManager writeBuffers;
        private int stores;

        private Budget(String name, long bytes) {
            this.name = name;
            this.cache = new LRUCache(bytes, -1, false, INDEX_FILTER_RATIO);
            this.writeBuffers = new WriteBufferManager(bytes / 4, cache);
        }
    }

    @Override
    public void setConfig(String storeName, Options options, Map<String, Object> configs) {
        long bytes = Long.parseLong(configs.get(MEMORY_BYTES).toString());
        String name = String.valueOf(configs.getOrDefault(BUDGET, configs.get(StreamsConfig.APPLICATION_ID_CONFIG)));
        Budget budget;
        synchronized (BUDGETS) {
            budget = BUDGETS.computeIfAbsent(name, ignored -> new Budget(name, bytes));
            budget.stores++;
        }
        synchronized (held) {
            held.put(options, budget);
        }
        BlockBasedTableConfig table = (BlockBasedTableConfig) options.tableFormatConfig();
        table.setBlockCache(budget.cache);
        table.setCacheIndexAndFilterBlocks(true);
        table.setCacheIndexAndFilterBlocksWithHighPriority(true);
        table.setPinTopLevelIndexAndFilter(true);
        options.setWriteBufferManager(budget.writeBuffers);
        options.setTableFormatConfig(table);
    }

    /**
     * Gives the store's reference back. Closing the Java handles of the cache and the write buffer
     * manager releases this JVM's reference only: RocksDB shares them by reference count, so a
     * database still open keeps its own.
     */
    @Override
    public void close(String storeName, Options options) {
        Budget budget;
        synchronized (held) {
            budget = held.remove(options);
        }
        if (budget == null) {
            return;
        }
        synchronized (BUDGETS) {
            if (--budget.stores > 0) {
                return;
            }
            BUDGETS.remove(budget.name, budget);
        }
        budget.writeBuffers.close();
        budget.cache.close();
    }

    /** The names of the budgets stores hold now. */
    static Set<String> budgetsInUse() {
        synchronized (BUDGETS) {
            return Set.copyOf(BUDGETS.keySet());
        }
    }
}
