package dev.loopline.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loopline.api.v1.DefinitionStatus;
import dev.loopline.api.v1.PlatformEvent;
import dev.loopline.api.v1.StepKind;
import dev.loopline.api.v1.WorkflowDefinition;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class RequestValidationTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-21T10:00:00Z"), ZoneOffset.UTC);
    private final EventRoutes events = new EventRoutes(null, CLOCK);
    private final DefinitionRoutes definitions = new DefinitionRoutes(null, CLOCK);

    @Test
    void shouldTurnAValidEventIntoAPlatformEvent() throws Exception {
        PlatformEvent event = events.parse(json("""
                {"eventId":"e-1","source":"erp","entityType":"expense_report","entityId":"r-1",
                 "messageName":"Submitted","attributes":{"amount":120,"rate":1.5,"currency":"EUR","urgent":true,"note":null},
                 "causation":{"originatingInstanceId":"i-9","depth":2}}
                """));

        assertThat(event.getEventId()).isEqualTo("e-1");
        assertThat(event.getAttributes())
                .containsEntry("amount", 120L)
                .containsEntry("rate", 1.5)
                .containsEntry("currency", "EUR")
                .containsEntry("urgent", true)
                .containsEntry("note", null);
        assertThat(event.getOccurredAt()).isEqualTo(CLOCK.instant());
        assertThat(event.getCausation().getDepth()).isEqualTo(2);
    }

    @Test
    void shouldReportEveryInvalidFieldWithItsPath() throws Exception {
        ProblemException problem = catchThrowableOfType(ProblemException.class, () -> events.parse(json("""
                        {"source":"","entityType":"a","messageName":"Create","attributes":{"nested":{"x":1}},
                         "occurredAt":"yesterday","colour":"red"}
                        """)));

        assertThat(problem.status()).isEqualTo(400);
        assertThat(problem.toProblem("/v1/events").errors())
                .extracting(Problem.FieldError::field)
                .containsExactlyInAnyOrder("colour", "source", "entityId", "attributes.nested", "occurredAt");
    }

    @Test
    void shouldParseADefinitionAsADraft() throws Exception {
        WorkflowDefinition definition = definitions.parse(json("""
                {"id":"expense-approval","name":"Expense approval",
                 "trigger":{"entityType":"expense_report","messageName":"Submitted","filter":{"currency":"EUR"}},
                 "steps":[{"name":"approval","kind":"send-message","messageName":"RequestApproval"}]}
                """));

        assertThat(definition.getStatus()).isEqualTo(DefinitionStatus.DRAFT);
        assertThat(definition.getSteps()).singleElement().satisfies(step -> {
            assertThat(step.getKind()).isEqualTo(StepKind.SEND_MESSAGE);
            assertThat(step.getPayload()).isEmpty();
        });
    }

    @Test
    void shouldPointAtTheStepFieldThatIsWrong() throws Exception {
        ProblemException problem = catchThrowableOfType(ProblemException.class, () -> definitions.parse(json("""
                        {"id":"d","name":"n","trigger":{"entityType":"t","messageName":"m"},
                         "steps":[{"name":"a","kind":"send-message","messageName":"x"},{"name":"b","kind":"teleport"}]}
                        """)));

        assertThat(problem.toProblem("/v1/definitions").errors())
                .extracting(Problem.FieldError::field, Problem.FieldError::message)
                .containsExactlyInAnyOrder(
                        org.assertj.core.groups.Tuple.tuple("steps[1].kind", "expected one of [send-message]"),
                        org.assertj.core.groups.Tuple.tuple("steps[1].messageName", "is required"));
    }

    private static JsonNode json(String text) throws Exception {
        return Json.MAPPER.readTree(text);
    }
}
