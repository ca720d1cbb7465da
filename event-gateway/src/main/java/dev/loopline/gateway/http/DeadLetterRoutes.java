package dev.loopline.gateway.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loopline.api.v1.PlatformEvent;
import dev.loopline.gateway.kafka.DeadLetters;
import dev.loopline.gateway.kafka.EventPublisher;
import dev.loopline.gateway.security.Audit;
import dev.loopline.gateway.security.Principals;
import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;

/**
 * Dead letters for operators.
 *
 * <pre>
 * GET  /v1/dead-letters?limit=&after=            a page, newest first: source topic, partition, offset, reason, time
 * POST /v1/dead-letters/{partition}-{offset}/replay   puts the record back on its source topic:
 *      {}                                        as it was (after the cause was fixed, such as a registry outage)
 *      {"value": "<base64>"}                     with mended bytes (acknowledgements only)
 *      {"event": {…}}                            a mended event, as for POST /v1/events (to the events topic)
 * </pre>
 */
final class DeadLetterRoutes {

    private static final int MAX_PAGE = 200;
    private static final Set<String> REPLAY_FIELDS = Set.of("value", "event");

    private final DeadLetters deadLetters;
    private final EventRoutes events;
    private final EventPublisher publisher;

    DeadLetterRoutes(DeadLetters deadLetters, EventRoutes events, EventPublisher publisher) {
        this.deadLetters = deadLetters;
        this.events = events;
        this.publisher = publisher;
    }

    void list(Context ctx) {
        int limit = InstanceQueries.limit(ctx.queryParam("limit"));
        if (limit > MAX_PAGE) {
            throw ProblemException.invalid(List.of(new Problem.FieldError("limit", "expected 1 to " + MAX_PAGE)));
        }
        DeadLetters.Page page;
        try {
            page = deadLetters.page(limit, cursor(ctx.queryParam("after")));
        } catch (KafkaException e) {
            throw unavailable(e);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("items", page.items().stream().map(DeadLetterRoutes::view).toList());
        body.put("next", page.next() == null ? null : encode(page.next()));
        body.put("size", page.size());
        Json.respond(ctx, 200, body);
    }

    void replay(Context ctx) throws InterruptedException {
        String id = ctx.pathParam("id");
        DeadLetters.DeadLetter letter;
        try {
            letter = parseId(id)
                    .flatMap(position -> deadLetters.find(position[0].intValue(), position[1]))
                    .orElseThrow(() -> ProblemException.notFound("dead letter " + id));
        } catch (KafkaException e) {
            throw unavailable(e);
        }
        JsonNode body = ctx.body().isBlank() ? Json.MAPPER.createObjectNode() : Json.objectBody(ctx);
        List<Problem.FieldError> errors = new java.util.ArrayList<>();
        body.fieldNames().forEachRemaining(name -> {
            if (!REPLAY_FIELDS.contains(name)) {
                errors.add(new Problem.FieldError(
                        name, "unknown field (expected one of " + new TreeSet<>(REPLAY_FIELDS) + ")"));
            }
        });
        if (body.has("value") && body.has("event")) {
            errors.add(new Problem.FieldError("value", "give a mended value or a mended event, not both"));
        }
        if (!errors.isEmpty()) {
            throw ProblemException.invalid(errors);
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("replayed", id);
        if (body.has("event")) {
            answer.putAll(replayEvent(ctx, letter, body.get("event")));
        } else {
            if (body.has("value") && !deadLetters.mayMend(letter.sourceTopic())) {
                throw ProblemException.conflict(
                        "a dead letter from " + letter.sourceTopic()
                                + " goes back as it was, or, for an event, mended with \"event\" (checked like POST /v1/events)");
            }
            byte[] value = body.has("value") ? base64(body.get("value")) : letter.value();
            RecordMetadata written;
            try {
                written = deadLetters.replay(letter, value);
            } catch (IllegalArgumentException e) {
                throw ProblemException.conflict(e.getMessage());
            }
            answer.put("topic", written.topic());
            answer.put("partition", written.partition());
            answer.put("offset", written.offset());
        }
        Audit.replay(ctx, id, answer.get("topic"));
        Json.respond(ctx, 200, answer);
    }

    /** A mended event goes to the events topic the way POST /v1/events sends one, checked the same way. */
    private Map<String, Object> replayEvent(Context ctx, DeadLetters.DeadLetter letter, JsonNode mended)
            throws InterruptedException {
        if (!publisher.topic().equals(letter.sourceTopic())) {
            throw ProblemException.conflict("dead letter from " + letter.sourceTopic()
                    + ", not the events topic: mend its bytes with \"value\" instead");
        }
        if (!mended.isObject()) {
            throw ProblemException.invalid(List.of(new Problem.FieldError("event", "expected an event object")));
        }
        PlatformEvent event = events.parse(mended);
        Principals.requireMayPublish(ctx, event.getSource(), event.getEntityType());
        RecordMetadata written;
        try {
            written = publisher.publish(event).get(publisher.timeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new ProblemException(
                    503,
                    "unavailable",
                    "Not confirmed",
                    "Kafka did not confirm the mended event " + event.getEventId() + "; it may still be written",
                    List.of());
        }
        return Map.of(
                "topic", written.topic(),
                "partition", written.partition(),
                "offset", written.offset(),
                "eventId", event.getEventId());
    }

    private static ProblemException unavailable(KafkaException e) {
        return new ProblemException(
                503,
                "unavailable",
                "Dead letters cannot be read now",
                "the brokers did not answer: " + e.getClass().getSimpleName(),
                List.of());
    }

    private static Map<String, Object> view(DeadLetters.DeadLetter letter) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("id", letter.partition() + "-" + letter.offset());
        view.put("time", letter.time().toString());
        view.put("sourceTopic", letter.sourceTopic());
        view.put("sourcePartition", letter.sourcePartition());
        view.put("sourceOffset", letter.sourceOffset());
        view.put("exception", letter.exception());
        view.put("reason", letter.reason());
        view.put("key", letter.key() == null ? null : new String(letter.key(), StandardCharsets.UTF_8));
        view.put("valueBytes", letter.value() == null ? 0 : letter.value().length);
        view.put("value", letter.value() == null ? null : Base64.getEncoder().encodeToString(letter.value()));
        return view;
    }

    private static java.util.Optional<Long[]> parseId(String id) {
        int dash = id.indexOf('-');
        try {
            long partition = Long.parseLong(id.substring(0, dash));
            long offset = Long.parseLong(id.substring(dash + 1));
            return partition < 0 || partition > Integer.MAX_VALUE || offset < 0
                    ? java.util.Optional.empty()
                    : java.util.Optional.of(new Long[] {partition, offset});
        } catch (RuntimeException e) {
            return java.util.Optional.empty();
        }
    }

    private static byte[] base64(JsonNode value) {
        try {
            if (value.isTextual()) {
                return Base64.getDecoder().decode(value.asText());
            }
        } catch (IllegalArgumentException e) {
            // reported below
        }
        throw ProblemException.invalid(
                List.of(new Problem.FieldError("value", "expected the record's bytes in base64")));
    }

    private static String encode(Map<Integer, Long> next) {
        StringBuilder text = new StringBuilder();
        next.forEach((p, o) ->
                text.append(text.isEmpty() ? "" : ",").append(p).append(':').append(o));
        return Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString(text.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static Map<Integer, Long> cursor(String cursor) {
        Map<Integer, Long> before = new TreeMap<>();
        if (cursor == null) {
            return before;
        }
        try {
            String text = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            for (String part : text.split(",")) {
                String[] pair = part.split(":");
                before.put(Integer.parseInt(pair[0]), Long.parseLong(pair[1]));
            }
            return before;
        } catch (RuntimeException e) {
            throw ProblemException.invalid(
                    List.of(new Problem.FieldError("after", "expected the \"next\" of an earlier page")));
        }
    }
}
