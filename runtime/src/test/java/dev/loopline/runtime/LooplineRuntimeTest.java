package dev.loopline.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loopline.runtime.config.RuntimeConfig;
import dev.loopline.runtime.config.StreamsSettings;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

class LooplineRuntimeTest {

    @Test
    void shouldGiveTheEventHalfItsOwnApplicationIdAndOtherwiseTheSameSettings() {
        Properties instanceHalf =
                StreamsSettings.of(RuntimeConfig.from(Map.of("LOOPLINE_APPLICATION_ID", "orders-runtime")));

        Properties eventHalf = LooplineRuntime.eventHalfSettings(instanceHalf);

        assertThat(eventHalf.getProperty(StreamsConfig.APPLICATION_ID_CONFIG)).isEqualTo("orders-runtime-events");
        assertThat(eventHalf).doesNotContainKey(StreamsConfig.CLIENT_ID_CONFIG);
        Properties others = new Properties();
        others.putAll(eventHalf);
        others.remove(StreamsConfig.APPLICATION_ID_CONFIG);
        instanceHalf.forEach((key, value) -> {
            if (!key.equals(StreamsConfig.APPLICATION_ID_CONFIG)) {
                assertThat(others).containsEntry(key, value);
            }
        });
        assertThat(others).hasSize(instanceHalf.size() - 1);
    }

    @Test
    void shouldSuffixAnOverriddenApplicationIdAndClientIdSoTheHalvesNeverShareThem() {
        Properties instanceHalf = StreamsSettings.of(RuntimeConfig.from(Map.of(
                "LOOPLINE_APPLICATION_ID", "orders-runtime",
                "LOOPLINE_KAFKA_APPLICATION_ID", "overridden",
                "LOOPLINE_KAFKA_CLIENT_ID", "node-1")));

        Properties eventHalf = LooplineRuntime.eventHalfSettings(instanceHalf);

        assertThat(instanceHalf.getProperty(StreamsConfig.APPLICATION_ID_CONFIG))
                .isEqualTo("overridden");
        assertThat(eventHalf.getProperty(StreamsConfig.APPLICATION_ID_CONFIG)).isEqualTo("overridden-events");
        assertThat(eventHalf.getProperty(StreamsConfig.CLIENT_ID_CONFIG)).isEqualTo("node-1-events");
    }

    @Test
    void shouldGiveEachHalfItsOwnStaticMemberIdFromTheProcessName() {
        Properties instanceHalf = StreamsSettings.of(RuntimeConfig.from(
                Map.of("LOOPLINE_APPLICATION_ID", "orders-runtime", "LOOPLINE_KAFKA_GROUP_INSTANCE_ID", "runtime-0")));

        Properties eventHalf = LooplineRuntime.eventHalfSettings(instanceHalf);

        assertThat(instanceHalf.getProperty(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG))
                .isEqualTo("runtime-0");
        assertThat(eventHalf.getProperty(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG))
                .isEqualTo("runtime-0-events");
    }

    @Test
    void shouldKeepStateThroughACrashAndFailOverInSeconds() {
        Properties settings = StreamsSettings.of(RuntimeConfig.from(Map.of()));

        assertThat(settings)
                .containsEntry(StreamsConfig.TRANSACTIONAL_STATE_STORES_CONFIG, "true")
                .containsEntry(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, "1")
                .containsEntry(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, "10000");
    }
}
