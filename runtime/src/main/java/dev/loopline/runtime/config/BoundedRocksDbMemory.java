package dev.loopline.runtime.config;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
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

    /** Shared by every store of one budget name in this JVM; never closed (lives with the process). */
    private static final Map<String, Budget> BUDGETS = new ConcurrentHashMap<>();

    private record Budget(Cache cache, WriteBufferManager writeBuffers) {
        static Budget of(long bytes) {
            Cache cache = new LRUCache(bytes, -1, false, INDEX_FILTER_RATIO);
            return new Budget(cache, new WriteBufferManager(bytes / 4, cache));
        }
    }

    @Override
    public void setConfig(String storeName, Options options, Map<String, Object> configs) {
        long bytes = Long.parseLong(configs.get(MEMORY_BYTES).toString());
        Object name = configs.getOrDefault(BUDGET, configs.get(StreamsConfig.APPLICATION_ID_CONFIG));
        Budget budget = BUDGETS.computeIfAbsent(String.valueOf(name), ignored -> Budget.of(bytes));
        BlockBasedTableConfig table = (BlockBasedTableConfig) options.tableFormatConfig();
        table.setBlockCache(budget.cache());
        table.setCacheIndexAndFilterBlocks(true);
        table.setCacheIndexAndFilterBlocksWithHighPriority(true);
        table.setPinTopLevelIndexAndFilter(true);
        options.setWriteBufferManager(budget.writeBuffers());
        options.setTableFormatConfig(table);
    }

    @Override
    public void close(String storeName, Options options) {
        // the cache and write buffer manager are shared by every store: they are not closed here
    }
}
