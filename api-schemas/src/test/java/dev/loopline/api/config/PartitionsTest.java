package dev.loopline.api.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class PartitionsTest {

    @Test
    void shouldDefaultToSixAndReadTheSetting() {
        assertThat(Partitions.from(Map.of())).isEqualTo(6);
        assertThat(Partitions.from(Map.of("LOOPLINE_PARTITIONS", "12"))).isEqualTo(12);
    }

    @Test
    void shouldRefuseFewerThanOnePartition() {
        assertThatThrownBy(() -> Partitions.from(Map.of("LOOPLINE_PARTITIONS", "0")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("LOOPLINE_PARTITIONS must be at least 1");
    }
}
