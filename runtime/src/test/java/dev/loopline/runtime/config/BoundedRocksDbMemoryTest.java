package dev.loopline.runtime.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;

class BoundedRocksDbMemoryTest {

    static {
        RocksDB.loadLibrary();
    }

    @Test
    void shouldBoundEveryStoreByDefaultAndLeaveStreamsDefaultsAtZero() {
        Map<String, String> settings = new HashMap<>();
        var bounded = StreamsSettings.of(RuntimeConfig.from(settings));
        settings.put("LOOPLINE_ROCKSDB_MEMORY_MB", "0");
        var unbounded = StreamsSettings.of(RuntimeConfig.from(settings));

        assertThat(bounded)
                .containsEntry(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, BoundedRocksDbMemory.class.getName())
                .containsEntry(BoundedRocksDbMemory.MEMORY_BYTES, Long.toString(256L * 1024 * 1024));
        assertThat(unbounded)
                .doesNotContainKey(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG)
                .doesNotContainKey(BoundedRocksDbMemory.MEMORY_BYTES);
    }

    @Test
    void shouldShareOneBudgetAmongTheStoresOfOneApplication() {
        var setter = new BoundedRocksDbMemory();
        try (Options instances = new Options();
                Options timers = new Options();
                Options otherApplication = new Options()) {
            // as Kafka Streams hands them to the setter: with a block-based table configuration
            for (Options options : new Options[] {instances, timers, otherApplication}) {
                options.setTableFormatConfig(new BlockBasedTableConfig());
            }
            setter.setConfig("instances", instances, configs("app-a"));
            setter.setConfig("timers", timers, configs("app-a"));
            setter.setConfig("instances", otherApplication, configs("app-b"));

            assertThat(instances.writeBufferManager()).isNotNull().isSameAs(timers.writeBufferManager());
            assertThat(otherApplication.writeBufferManager()).isNotSameAs(instances.writeBufferManager());
            var table = (BlockBasedTableConfig) instances.tableFormatConfig();
            assertThat(table.cacheIndexAndFilterBlocks()).isTrue();
            assertThat(table.cacheIndexAndFilterBlocksWithHighPriority()).isTrue();
        }
    }

    @Test
    void shouldShareOneBudgetBetweenTheTwoApplicationsOfOneProcess() {
        var setter = new BoundedRocksDbMemory();
        RuntimeConfig config = RuntimeConfig.from(Map.of("LOOPLINE_APPLICATION_ID", "budget-test"));
        try (Options eventHalf = new Options();
                Options instanceHalf = new Options()) {
            for (Options options : new Options[] {eventHalf, instanceHalf}) {
                options.setTableFormatConfig(new BlockBasedTableConfig());
            }
            Map<String, Object> instanceSettings = settingsOf(config, "budget-test");
            Map<String, Object> eventSettings = settingsOf(config, "budget-test-events");
            setter.setConfig("dependency-queues", eventHalf, eventSettings);
            setter.setConfig("instances", instanceHalf, instanceSettings);

            assertThat(eventHalf.writeBufferManager()).isNotNull().isSameAs(instanceHalf.writeBufferManager());
        }
    }

    @Test
    void shouldReleaseABudgetWhenItsLastStoreCloses() {
        // as Kafka Streams does it: one setter per store, closed with the store
        var first = new BoundedRocksDbMemory();
        var second = new BoundedRocksDbMemory();
        try (Options one = new Options();
                Options two = new Options()) {
            one.setTableFormatConfig(new BlockBasedTableConfig());
            two.setTableFormatConfig(new BlockBasedTableConfig());
            first.setConfig("instances", one, configs("app-released"));
            second.setConfig("timers", two, configs("app-released"));
            assertThat(BoundedRocksDbMemory.budgetsInUse()).contains("app-released");

            first.close("instances", one);
            assertThat(BoundedRocksDbMemory.budgetsInUse()).contains("app-released");
            second.close("timers", two);
            second.close("timers", two);
            assertThat(BoundedRocksDbMemory.budgetsInUse()).doesNotContain("app-released");

            var reopened = new BoundedRocksDbMemory();
            reopened.setConfig("instances", one, configs("app-released"));
            assertThat(BoundedRocksDbMemory.budgetsInUse()).contains("app-released");
            reopened.close("instances", one);
        }
    }

    /** The runtime's Streams settings as Kafka Streams hands them to the setter, for one application id. */
    private static Map<String, Object> settingsOf(RuntimeConfig config, String applicationId) {
        Map<String, Object> settings = new HashMap<>();
        StreamsSettings.of(config).forEach((key, value) -> settings.put(key.toString(), value));
        settings.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        return settings;
    }

    private static Map<String, Object> configs(String application) {
        return Map.of(
                StreamsConfig.APPLICATION_ID_CONFIG,
                application,
                BoundedRocksDbMemory.MEMORY_BYTES,
                Long.toString(8L * 1024 * 1024));
    }
}
