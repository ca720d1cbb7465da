package dev.loopline.runtime.domain.step;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loopline.api.v1.StepKind;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class StepBehaviorsTest {

    @Test
    void shouldHaveABehaviourOfItsOwnForEveryStepKind() {
        assertThat(StepBehaviors.all()).containsOnlyKeys(StepKind.values());
        Arrays.stream(StepKind.values())
                .filter(kind -> kind != StepKind.UNKNOWN)
                .forEach(kind ->
                        assertThat(StepBehaviors.of(kind)).as("%s", kind).isNotInstanceOf(UnknownStep.class));
        assertThat(StepBehaviors.of(StepKind.UNKNOWN)).isInstanceOf(UnknownStep.class);
    }
}
