package dev.loopline.definition.expression;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ExpressionsTest {

    private final Expressions expressions = new Expressions();
    private final Map<String, Object> variables = Map.of(
            "trigger", Map.of("entityId", "ER-1", "attributes", Map.of("amount", 1250.0, "count", 3L)),
            "steps", Map.of("review", Map.of("outcome", "Approved")),
            "vars", Map.of(),
            "now", Instant.parse("2026-11-21T10:00:00Z"));

    @Test
    void shouldEvaluateConditionsOverTriggerAndStepOutputs() {
        assertThat(expressions.test("trigger.attributes.amount > 1000.0", variables))
                .isTrue();
        assertThat(expressions.test("steps.review.outcome == 'Approved' && trigger.attributes.count == 3", variables))
                .isTrue();
        assertThat(expressions.test("has(steps.review.missing)", variables)).isFalse();
    }

    @Test
    void shouldComputeScalarsAndInstants() {
        assertThat(expressions.scalar("'Review ' + trigger.entityId", variables))
                .isEqualTo("Review ER-1");
        assertThat(expressions.scalar("trigger.attributes.count * 2", variables))
                .isEqualTo(6L);
        assertThat(expressions.instant("now + duration('1h')", variables))
                .isEqualTo(Instant.parse("2026-11-21T11:00:00Z"));
        assertThat(expressions.instant("'2026-12-01T00:00:00Z'", variables))
                .isEqualTo(Instant.parse("2026-12-01T00:00:00Z"));
    }

    @Test
    void shouldReportErrorsAsExpressionExceptions() {
        assertThatThrownBy(() -> expressions.test("trigger.nope == 1", variables))
                .isInstanceOf(ExpressionException.class)
                .hasMessageContaining("nope");
        assertThatThrownBy(() -> expressions.test("trigger.entityId", variables))
                .isInstanceOf(ExpressionException.class)
                .hasMessageContaining("must be true or false");
        assertThatThrownBy(() -> Expressions.check("1 +"))
                .isInstanceOf(ExpressionException.class)
                .hasMessageContaining("not a valid expression");
        assertThatThrownBy(() -> Expressions.check("x".repeat(Expressions.MAX_SOURCE_LENGTH + 1)))
                .isInstanceOf(ExpressionException.class)
                .hasMessageContaining("longer than");
    }

    @Test
    void shouldRefuseInstantsOutsideTheRangeTimersCanHold() {
        assertThatThrownBy(() -> expressions.instant("'+300000000-01-01T00:00:00Z'", variables))
                .isInstanceOf(ExpressionException.class);
        assertThatThrownBy(() -> expressions.instant("timestamp('1969-12-31T00:00:00Z')", variables))
                .isInstanceOf(ExpressionException.class)
                .hasMessageContaining("outside 1970 to 9999");
    }

    @Test
    void shouldBoundTheIterationsOfMacros() {
        List<Long> many = Collections.nCopies(Expressions.MAX_ITERATIONS + 1, 1L);
        Map<String, Object> big = Map.of("vars", Map.of("list", many));

        assertThatThrownBy(() -> expressions.test("vars.list.all(x, x == 1)", big))
                .isInstanceOf(ExpressionException.class);
        assertThat(expressions.test("vars.list.size() > 10", big)).isTrue();
    }

    @Test
    void shouldCountNestedMacroIterationsAgainstOneBudgetPerEvaluation() {
        // 40 × 40 = 1,600 iterations, each loop far under the budget: the budget is per evaluation
        List<Long> forty = Collections.nCopies(40, 1L);
        Map<String, Object> lists = Map.of("vars", Map.of("a", forty, "b", forty));

        assertThatThrownBy(() -> expressions.test("vars.a.all(x, vars.b.all(y, x == y))", lists))
                .isInstanceOf(ExpressionException.class)
                .hasMessageContaining("Iteration budget exceeded");
        assertThat(expressions.test("vars.a.all(x, x == 1) && vars.b.all(y, y == 1)", lists))
                .isTrue();
    }

    @Test
    void shouldMatchARegexOverALargeAttributeInLinearTime() {
        // RE2J, not java.util.regex: a pattern that backtracks catastrophically there is linear here
        String large = "ab".repeat(100_000);
        Map<String, Object> event = Map.of("trigger", Map.of("attributes", Map.of("text", large)));

        assertThat(expressions.test("trigger.attributes.text.matches('^(a|b|ab)*c$')", event))
                .isFalse();
        assertThat(expressions.test("trigger.attributes.text.matches('^(ab)+$')", event))
                .isTrue();
    }
}
