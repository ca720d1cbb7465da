package dev.loopline.api.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SettingTest {

    private static final Setting<Duration> TIMEOUT = Setting.duration("LOOPLINE_TEST_TIMEOUT")
            .defaultsTo("PT5S")
            .readBy(Setting.Reader.RUNTIME)
            .doc("how long | to wait");
    private static final Setting<String> PASSWORD =
            Setting.secret("LOOPLINE_TEST_PASSWORD").readBy(Setting.Reader.RUNTIME);

    @Test
    void shouldReadTheValueOrTheDefaultAndTreatBlankAsUnset() {
        assertThat(TIMEOUT.from(Map.of())).isEqualTo(Duration.ofSeconds(5));
        assertThat(TIMEOUT.from(Map.of("LOOPLINE_TEST_TIMEOUT", " PT1M "))).isEqualTo(Duration.ofMinutes(1));
        assertThat(TIMEOUT.from(Map.of("LOOPLINE_TEST_TIMEOUT", "  "))).isEqualTo(Duration.ofSeconds(5));
        assertThat(PASSWORD.from(Map.of())).isNull();
        assertThat(PASSWORD.isSet(Map.of("LOOPLINE_TEST_PASSWORD", ""))).isFalse();
    }

    @Test
    void shouldNameTheSettingWhenAValueCannotBeRead() {
        assertThatThrownBy(() -> TIMEOUT.from(Map.of("LOOPLINE_TEST_TIMEOUT", "5 seconds")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("LOOPLINE_TEST_TIMEOUT: cannot read '5 seconds' as duration");
        assertThatThrownBy(() -> CommonSettings.PARTITIONS.from(Map.of("LOOPLINE_PARTITIONS", "0")))
                .hasMessage("LOOPLINE_PARTITIONS must be at least 1, not 0");
        assertThatThrownBy(() -> CommonSettings.AUTH_DISABLED.from(Map.of("LOOPLINE_AUTH_DISABLED", "yes")))
                .hasMessageContaining("must be true or false");
        assertThatThrownBy(() -> Setting.integer("LOOPLINE_TEST_SECRET_NUMBER")
                        .check(n -> n > 0, "must be positive")
                        .from(Map.of("LOOPLINE_TEST_SECRET_NUMBER", "-1")))
                .hasMessage("LOOPLINE_TEST_SECRET_NUMBER must be positive, not -1");
    }

    @Test
    void shouldReadCommaSeparatedLists() {
        Setting<List<String>> origins = Setting.list("LOOPLINE_TEST_ORIGINS");
        assertThat(origins.from(Map.of("LOOPLINE_TEST_ORIGINS", "https://a, ,https://b,")))
                .containsExactly("https://a", "https://b");
    }

    @Test
    void shouldNameTheKafkaPropertyOfAPassThrough() {
        assertThat(CommonSettings.SESSION_TIMEOUT_MS.kafkaProperty()).isEqualTo("session.timeout.ms");
        assertThatThrownBy(TIMEOUT::kafkaProperty).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void shouldMakeAMarkdownRowPerSettingWithPipesEscaped() {
        assertThat(SettingsTable.markdown(List.of(TIMEOUT, PASSWORD))).isEqualTo("""
                        | variable | default | read by | meaning |
                        |---|---|---|---|
                        | `LOOPLINE_TEST_TIMEOUT` | `PT5S` | runtime | how long \\| to wait |
                        | `LOOPLINE_TEST_PASSWORD` | none | runtime |  |
                        """);
    }

    @Test
    void shouldPrintTheEffectiveSettingsWithSecretsMaskedAndStrangersNamed() {
        String printed = SettingsTable.effective(
                List.of(
                        TIMEOUT,
                        PASSWORD,
                        Setting.text("LOOPLINE_TEST_GATEWAY_ONLY").readBy(Setting.Reader.GATEWAY)),
                Setting.Reader.RUNTIME,
                Map.of(
                        "LOOPLINE_TEST_PASSWORD", "hunter2",
                        "LOOPLINE_KAFKA_SASL_JAAS_CONFIG", "org.apache...ScramLoginModule password=\"x\";",
                        "LOOPLINE_KAFKA_LINGER_MS", "20",
                        "LOOPLINE_TIMEOUTT", "PT1S",
                        "LOOPLINE_TEST_GATEWAY_ONLY", "gateway's",
                        "PATH", "/usr/bin"));

        assertThat(printed).isEqualTo("""
                        LOOPLINE_TEST_TIMEOUT=PT5S  # default
                        LOOPLINE_TEST_PASSWORD=****
                        LOOPLINE_KAFKA_LINGER_MS=20  # Kafka property linger.ms
                        LOOPLINE_KAFKA_SASL_JAAS_CONFIG=****  # Kafka property sasl.jaas.config
                        # LOOPLINE_TIMEOUTT is not read by the runtime
                        """).doesNotContain("hunter2", "ScramLoginModule", "PATH", "gateway's");
    }
}
