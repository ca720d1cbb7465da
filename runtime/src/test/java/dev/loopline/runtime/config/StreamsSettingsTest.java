package dev.loopline.runtime.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

class StreamsSettingsTest {

    @Test
    void shouldCommitEvery10MsOnOneThreadUnderExactlyOnceByDefault() {
        var props = StreamsSettings.of(RuntimeConfig.from(new HashMap<>()));

        assertThat(props)
                .containsEntry(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2)
                .containsEntry(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "10")
                .containsEntry(StreamsConfig.NUM_STREAM_THREADS_CONFIG, "1");
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

    @Test
    void shouldLetTheOperatorOverrideTheRuntimesOwnClientSettings() {
        var defaults = new StreamsConfig(StreamsSettings.of(RuntimeConfig.from(new HashMap<>())));
        var overridden = new StreamsConfig(StreamsSettings.of(RuntimeConfig.from(Map.of(
                "LOOPLINE_KAFKA_LINGER_MS", "20",
                "LOOPLINE_KAFKA_AUTO_OFFSET_RESET", "latest",
                "LOOPLINE_KAFKA_SESSION_TIMEOUT_MS", "30000"))));

        assertThat(defaults.getProducerConfigs("p")).containsEntry(ProducerConfig.LINGER_MS_CONFIG, "5");
        assertThat(defaults.getMainConsumerConfigs("g", "c", 0))
                .containsEntry(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest")
                .containsEntry(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, "10000");
        assertThat(overridden.getProducerConfigs("p")).containsEntry(ProducerConfig.LINGER_MS_CONFIG, "20");
        assertThat(overridden.getMainConsumerConfigs("g", "c", 0))
                .containsEntry(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest")
                .containsEntry(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, "30000");
    }
}
