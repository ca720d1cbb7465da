package dev.loopline.runtime.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

class StreamsSettingsTest {

    @Test
    void shouldCommitEvery10MsOnOneThreadUnderExactlyOnceByDefault() {
        var props = StreamsSettings.of(RuntimeConfig.from(new HashMap<>()));

        assertThat(props)
                .containsEntry(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2)
                .containsEntry(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "10")
                .doesNotContainKey(StreamsConfig.NUM_STREAM_THREADS_CONFIG);
        assertThat(new StreamsConfig(props).getInt(StreamsConfig.NUM_STREAM_THREADS_CONFIG))
                .isEqualTo(1);
    }

    @Test
    void shouldLetTheOperatorOverrideAnyStreamsProperty() {
        var props = StreamsSettings.of(RuntimeConfig.from(Map.of(
                "LOOPLINE_KAFKA_COMMIT_INTERVAL_MS", "100",
                "LOOPLINE_KAFKA_NUM_STREAM_THREADS", "2")));

        var config = new StreamsConfig(props);
        assertThat(config.getLong(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG)).isEqualTo(100L);
        assertThat(config.getInt(StreamsConfig.NUM_STREAM_THREADS_CONFIG)).isEqualTo(2);
    }
}
