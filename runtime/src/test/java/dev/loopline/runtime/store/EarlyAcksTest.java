package dev.loopline.runtime.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loopline.api.internal.EarlyAck;
import dev.loopline.api.serde.InternalAvroSerde;
import dev.loopline.api.v1.Acknowledgement;
import dev.loopline.api.v1.Outcome;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class EarlyAcksTest {

    private static final Instant NOW = Instant.parse("2026-11-29T12:00:00Z");

    private EarlyAcks earlyAcks;

    @BeforeEach
    void setUp() {
        MockProcessorContext<Object, Object> context = new MockProcessorContext<>();
        KeyValueStore<String, EarlyAck> store = Stores.keyValueStoreBuilder(
                        Stores.inMemoryKeyValueStore("early-acks"),
                        Serdes.String(),
                        new InternalAvroSerde<>(EarlyAck.class))
                .withLoggingDisabled()
                .build();
        store.init(context.getStateStoreContext(), store);
        context.addStateStore(store);
        earlyAcks = EarlyAcks.from(context, "early-acks");
    }

    @Test
    void shouldLookAtABoundedNumberOfEntriesPerScanAndGoOnWhereTheLastScanStopped() {
        // given: ten entries, the expired ones every other key
        for (int i = 0; i < 10; i++) {
            earlyAcks.put(ack("instance-" + i), i % 2 == 0 ? NOW.minusSeconds(1) : NOW.plusSeconds(3600));
        }

        // when: scans of at most 4 entries each
        List<List<String>> scans = new ArrayList<>();
        for (int scan = 0; scan < 4; scan++) {
            scans.add(earlyAcks.takeExpired(NOW, 4).stream()
                    .map(Acknowledgement::getInstanceId)
                    .toList());
        }

        // then: 0-3, 4-7, 8-9 and the wrap to the start, each expired entry taken once
        assertThat(scans)
                .containsExactly(
                        List.of("instance-0", "instance-2"),
                        List.of("instance-4", "instance-6"),
                        List.of("instance-8"),
                        List.of());
        assertThat(earlyAcks.take("instance-1", null)).isPresent();
        assertThat(earlyAcks.take("instance-0", null)).isEmpty();
    }

    @Test
    void shouldStartOverFromTheFirstEntryAfterReachingTheLast() {
        earlyAcks.put(ack("instance-a"), NOW.plusSeconds(10));
        earlyAcks.put(ack("instance-b"), NOW.plusSeconds(10));
        assertThat(earlyAcks.takeExpired(NOW, 1)).isEmpty(); // looked at a
        assertThat(earlyAcks.takeExpired(NOW, 1)).isEmpty(); // looked at b, the last

        // a is seen again by the next scan, once it has expired
        assertThat(earlyAcks.takeExpired(NOW.plusSeconds(10), 1))
                .extracting(Acknowledgement::getInstanceId)
                .containsExactly("instance-a");
    }

    private static Acknowledgement ack(String instanceId) {
        return Acknowledgement.newBuilder()
                .setMessageId(instanceId + "/started")
                .setInstanceId(instanceId)
                .setOutcome(Outcome.SUCCEEDED)
                .build();
    }
}
