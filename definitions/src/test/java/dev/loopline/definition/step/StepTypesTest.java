package dev.loopline.definition.step;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loopline.api.v1.Step;
import dev.loopline.api.v1.StepKind;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class StepTypesTest {

    @Test
    void shouldRunStepsCompiledBeforeTypesWereNamedByTheirKind() {
        Arrays.stream(StepKind.values())
                .filter(kind -> kind != StepKind.UNKNOWN)
                .forEach(kind -> assertThat(StepTypes.behaviorOf(step(kind, "")))
                        .as("%s", kind)
                        .isNotInstanceOf(UnknownStep.class));
    }

    @Test
    void shouldFailAStepOfATypeThisRuntimeDoesNotKnow() {
        assertThat(StepTypes.behaviorOf(step(StepKind.UNKNOWN, ""))).isInstanceOf(UnknownStep.class);
        assertThat(StepTypes.behaviorOf(step(StepKind.UNKNOWN, "teleport"))).isInstanceOf(UnknownStep.class);
    }

    @Test
    void shouldNameEachTypeByItsOwnNameAndItsKindWhereTheClosedEnumHasOne() {
        StepTypes.behaviors().forEach((type, behavior) -> {
            assertThat(StepTypes.behaviorOf(step(StepTypes.legacyKind(type), type)))
                    .isSameAs(behavior);
            if (StepTypes.legacyKind(type) != StepKind.UNKNOWN) {
                assertThat(StepTypes.behaviorOf(step(StepTypes.legacyKind(type), "")))
                        .isSameAs(behavior);
            }
        });
        assertThat(StepTypes.legacyKind("send-message")).isEqualTo(StepKind.SEND_MESSAGE);
        assertThat(StepTypes.legacyKind("a-type-added-since")).isEqualTo(StepKind.UNKNOWN);
    }

    @Test
    void shouldAcceptEveryKindsSchemaPropertiesAsItsFields() {
        assertThat(StepTypes.kinds())
                .contains("send-message", "condition", "stop")
                .doesNotContain("jump");
        assertThat(StepTypes.fields("send-message"))
                .containsExactlyInAnyOrder("name", "kind", "messageName", "payload", "timeout", "compensation");
    }

    private static Step step(StepKind kind, String type) {
        return Step.newBuilder()
                .setName("s")
                .setKind(kind)
                .setType(type)
                .setMessageName("")
                .build();
    }
}
