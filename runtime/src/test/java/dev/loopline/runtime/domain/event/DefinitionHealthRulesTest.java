package dev.loopline.runtime.domain.event;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loopline.api.internal.DefinitionHealth;
import org.junit.jupiter.api.Test;

class DefinitionHealthRulesTest {

    @Test
    void shouldCountFailuresInARowAndSetThemBackOnASuccess() {
        DefinitionHealth once = DefinitionHealthRules.after(null, "d", false).orElseThrow();
        DefinitionHealth twice = DefinitionHealthRules.after(once, "d", false).orElseThrow();
        DefinitionHealth healed = DefinitionHealthRules.after(twice, "d", true).orElseThrow();

        assertThat(once.getConsecutiveFailures()).isEqualTo(1);
        assertThat(twice.getConsecutiveFailures()).isEqualTo(2);
        assertThat(healed.getConsecutiveFailures()).isZero();
    }

    @Test
    void shouldReportAFirstSuccessButNotAnotherOne() {
        DefinitionHealth first = DefinitionHealthRules.after(null, "d", true).orElseThrow();

        assertThat(first.getConsecutiveFailures()).isZero();
        assertThat(DefinitionHealthRules.after(first, "d", true)).isEmpty();
    }
}
