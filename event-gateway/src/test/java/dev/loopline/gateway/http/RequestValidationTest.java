package dev.loopline.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loopline.api.v1.PlatformEvent;
import dev.loopline.definition.json.FieldError;
import dev.loopline.definition.json.InvalidDocumentException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class RequestValidationTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-21T10:00:00Z"), ZoneOffset.UTC);
    private final EventRoutes events = new EventRoutes(null, null, CLOCK);

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
        InvalidDocumentException problem =
                catchThrowableOfType(InvalidDocumentException.class, () -> events.parse(json("""
                        {"source":"","entityType":"a","messageName":"Create","attributes":{"nested":{"x":1}},
                         "occurredAt":"yesterday","colour":"red"}
                        """)));

        assertThat(ProblemException.invalid(problem).status()).isEqualTo(400);
        assertThat(problem.errors())
                .extracting(FieldError::field)
                .containsExactlyInAnyOrder("colour", "source", "entityId", "attributes.nested", "occurredAt");
    }

    @Test
    void shouldKeepTheSourcesAndEventIdsOfOnDemandStartsForThemAlone() {
        InvalidDocumentException source =
                catchThrowableOfType(InvalidDocumentException.class, () -> events.parse(json("""
                        {"source":"on-demand","entityType":"a","entityId":"a-1","messageName":"Create"}""")));
        InvalidDocumentException eventId =
                catchThrowableOfType(InvalidDocumentException.class, () -> events.parse(json("""
                        {"eventId":"workflow/i-1/step-0","source":"erp","entityType":"a","entityId":"a-1",
                         "messageName":"Create"}""")));

        assertThat(source.errors()).extracting(FieldError::field).containsExactly("source");
        assertThat(eventId.errors()).extracting(FieldError::field).containsExactly("eventId");
    }

    private static JsonNode json(String text) throws Exception {
        return Json.MAPPER.readTree(text);
    }
}
