package dev.loopline.runtime.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class CorrelationProcessorTest {

    @Test
    void shouldRememberOnlyTheNewestDeliveriesOfABufferedEvent() {
        List<String> tags = IntStream.range(0, CorrelationProcessor.DELIVERIES_KEPT + 5)
                .mapToObj(i -> "instance-" + i + "/0/1")
                .toList();

        List<String> kept = CorrelationProcessor.newest(tags);

        assertThat(kept).hasSize(CorrelationProcessor.DELIVERIES_KEPT);
        assertThat(kept.get(0)).isEqualTo("instance-5/0/1");
        assertThat(kept.get(kept.size() - 1)).isEqualTo(tags.get(tags.size() - 1));
        assertThat(CorrelationProcessor.newest(tags.subList(0, 3))).isEqualTo(tags.subList(0, 3));
    }
}
