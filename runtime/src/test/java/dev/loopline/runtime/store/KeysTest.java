package dev.loopline.runtime.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class KeysTest {

    @Test
    void shouldWriteTimesAsSixteenHexDigitsThatSortAsTheTimesDo() {
        Instant early = Instant.ofEpochMilli(0xabcL);
        Instant late = Instant.ofEpochMilli(1_795_000_000_000L);

        assertThat(Keys.time(early)).isEqualTo("0000000000000abc").isEqualTo(String.format("%016x", 0xabcL));
        assertThat(Keys.time(late)).hasSize(16).isEqualTo(String.format("%016x", 1_795_000_000_000L));
        assertThat(Keys.time(early)).isLessThan(Keys.time(late));
        assertThat(Keys.time(Instant.ofEpochMilli(-5))).isEqualTo("0000000000000000");
    }
}
