package dev.loopline.api.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class StoreKeysTest {

    @Test
    void shouldWriteTimesAsSixteenHexDigitsThatSortAsTheTimesDo() {
        Instant early = Instant.ofEpochMilli(0xabcL);
        Instant late = Instant.ofEpochMilli(1_795_000_000_000L);

        assertThat(StoreKeys.time(early)).isEqualTo("0000000000000abc").isEqualTo(String.format("%016x", 0xabcL));
        assertThat(StoreKeys.time(late)).hasSize(16).isEqualTo(String.format("%016x", 1_795_000_000_000L));
        assertThat(StoreKeys.time(early)).isLessThan(StoreKeys.time(late));
        assertThat(StoreKeys.time(Instant.ofEpochMilli(-5))).isEqualTo("0000000000000000");
    }

    @Test
    void shouldSortNewestFirstAndNumbersByValue() {
        Instant early = Instant.ofEpochMilli(1_000L);
        Instant late = Instant.ofEpochMilli(1_795_000_000_000L);

        assertThat(StoreKeys.newestFirst(late)).hasSize(16).isLessThan(StoreKeys.newestFirst(early));
        assertThat(StoreKeys.digits(7, 3)).isEqualTo("007");
        assertThat(StoreKeys.digits(30, 3)).isLessThan(StoreKeys.digits(100, 3));
        assertThat(StoreKeys.digits(12345, 3)).isEqualTo("12345");
    }
}
