package dev.loopline.gateway.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loopline.api.internal.InstanceSummary;
import dev.loopline.api.internal.MessageEntry;
import dev.loopline.api.v1.AckError;
import dev.loopline.api.v1.Acknowledgement;
import dev.loopline.api.v1.InstanceState;
import dev.loopline.api.v1.Outcome;
import dev.loopline.definition.json.JsonFields;
import dev.loopline.gateway.kafka.AckPublisher;
import dev.loopline.gateway.query.QueryStores;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.common.KafkaException;

/**
 * Messages answered over HTTP, for applications without a Kafka client:
 *
 * <pre>
 * GET  /v1/messages/{messageId}       the message, and its answer if it has one
 * POST /v1/messages/{messageId}/ack   answer it: {"outcome":"succeeded","output":{…}}
 *                                     or {"outcome":"failed","error":{"code":…,"category":…,"message":…}}
 * </pre>
 *
 * A message id is {@code <instance id>/<position>} and may hold slashes ({@code …/step-3/attempt-2});
 * it goes in the path as it is. The message is looked up where its instance's partition is served
 * (here, or the process the request is relayed to), in the query side's "query-messages" store,
 * which also holds the first answer any application gave. The gateway writes the answer with the
 * message's reply token: the caller proves its right by its role ({@code application}), not by the
 * token.
 *
 * <ul>
 *   <li>202: written; the runtime applies it.
 *   <li>200: the same answer was given already; nothing is written (idempotent).
 *   <li>409: a different answer was given already, or the instance has completed.
 *   <li>404: no such message (or its instance was deleted).
 * </ul>
 *
 * Two different answers within the moment before the first reaches the query side are both
 * written; the runtime applies the first and ignores the second.
 */
final class MessageRoutes {

    private static final Set<String> FIELDS = Set.of("outcome", "output", "error");
    private static final Set<String> ERROR_FIELDS = Set.of("code", "category", "message");

    private final QueryStores stores;
    private final InstanceQueries instances;
    private final AckPublisher acks;

    MessageRoutes(QueryStores stores, InstanceQueries instances, AckPublisher acks) {
        this.stores = stores;
        this.instances = instances;
        this.acks = acks;
    }

    void get(Context ctx) throws InterruptedException {
        String messageId = ctx.pathParam("messageId");
        OptionalInt partition = instances.servedHere(ctx, instanceOf(messageId));
        if (partition.isPresent()) {
            Json.respond(ctx, 200, view(entry(partition.getAsInt(), messageId)));
        }
    }

    void ack(Context ctx) throws InterruptedException {
        String messageId = ctx.pathParam("messageId");
        Answer answer = parse(Json.objectBody(ctx));
        OptionalInt partition = instances.servedHere(ctx, instanceOf(messageId));
        if (partition.isEmpty()) {
            return; // relayed
        }
        MessageEntry entry = entry(partition.getAsInt(), messageId);
        Acknowledgement ack = answer.toRecord(entry);
        if (entry.getAnswer() != null) {
            if (!answer.sameAs(entry.getAnswer())) {
                throw ProblemException.conflict(
                        "message " + messageId + " was answered already, differently: " + describe(entry.getAnswer()));
            }
            Json.respond(ctx, 200, Map.of("messageId", messageId, "status", "answered already, the same way"));
            return;
        }
        Optional<InstanceSummary> instance =
                InstanceQueries.read(() -> stores.summary(partition.getAsInt(), entry.getInstanceId()));
        if (instance.isPresent() && instance.get().getState() == InstanceState.COMPLETED) {
            throw ProblemException.conflict("instance " + entry.getInstanceId() + " has completed ("
                    + "status " + instance.get().getStatusCode() + "): message " + messageId
                    + " takes no answer now");
        }
        write(ack);
        Json.respond(
                ctx, 202, Map.of("messageId", messageId, "instanceId", entry.getInstanceId(), "status", "accepted"));
    }

    private void write(Acknowledgement ack) throws InterruptedException {
        try {
            acks.publish(ack).get(acks.timeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException | KafkaException e) {
            throw new ProblemException(
                    503,
                    "unavailable",
                    "Answer not confirmed",
                    "Kafka did not confirm the answer within " + acks.timeout().toMillis()
                            + " ms; it may still be written: sending the same answer again is harmless",
                    List.of());
        }
    }

    private MessageEntry entry(int partition, String messageId) {
        return InstanceQueries.read(() -> stores.message(partition, messageId))
                .orElseThrow(() -> ProblemException.notFound("message " + messageId));
    }

    /** The instance id in a message id: everything before its first slash. */
    static String instanceOf(String messageId) {
        int slash = messageId.indexOf('/');
        if (slash <= 0) {
            throw ProblemException.notFound("message " + messageId);
        }
        return messageId.substring(0, slash);
    }

    private static Map<String, Object> view(MessageEntry entry) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("messageId", entry.getMessageId());
        view.put("instanceId", entry.getInstanceId());
        view.put("messageName", entry.getMessageName());
        view.put("kind", entry.getKind().name());
        view.put("createdAt", entry.getCreatedAt().toString());
        view.put("answer", entry.getAnswer() == null ? null : answerView(entry.getAnswer()));
        return view;
    }

    private static Map<String, Object> answerView(Acknowledgement ack) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("outcome", ack.getOutcome().name().toLowerCase(java.util.Locale.ROOT));
        view.put("output", ack.getOutput());
        if (ack.getError() != null) {
            Map<String, Object> error = new LinkedHashMap<>();
            error.put("code", ack.getError().getCode());
            error.put("category", ack.getError().getCategory());
            error.put("message", ack.getError().getMessage());
            view.put("error", error);
        }
        return view;
    }

    private static String describe(Acknowledgement ack) {
        return ack.getOutcome() == Outcome.SUCCEEDED
                ? "succeeded with " + ack.getOutput()
                : "failed with " + ack.getError().getCode();
    }

    static Answer parse(JsonNode body) {
        JsonFields fields = new JsonFields();
        fields.onlyKnown(body, "", FIELDS);
        String outcome = fields.text(body, "outcome", "outcome", true);
        Map<String, Object> output = fields.scalars(body, "output", "output");
        AckError error = null;
        JsonNode errorNode = fields.object(body, "error", "error", false);
        if (errorNode != null) {
            fields.onlyKnown(errorNode, "error.", ERROR_FIELDS);
            error = new AckError(
                    fields.text(errorNode, "code", "error.code", true),
                    fields.text(errorNode, "message", "error.message", true),
                    fields.text(errorNode, "category", "error.category", false));
        }
        boolean succeeded = "succeeded".equals(outcome);
        if (outcome != null && !succeeded && !"failed".equals(outcome)) {
            fields.error("outcome", "expected \"succeeded\" or \"failed\"");
        }
        if ("failed".equals(outcome) && errorNode == null) {
            fields.error("error", "a failed answer needs an error: {\"code\":…,\"message\":…}");
        }
        if (succeeded && errorNode != null) {
            fields.error("error", "a succeeded answer has no error");
        }
        fields.throwIfInvalid();
        return new Answer(succeeded ? Outcome.SUCCEEDED : Outcome.FAILED, output, succeeded ? null : error);
    }

    /** An answer as given over HTTP. */
    record Answer(Outcome outcome, Map<String, Object> output, AckError error) {

        Acknowledgement toRecord(MessageEntry entry) {
            return Acknowledgement.newBuilder()
                    .setMessageId(entry.getMessageId())
                    .setInstanceId(entry.getInstanceId())
                    .setReplyToken(entry.getReplyToken())
                    .setOutcome(outcome)
                    .setOutput(new LinkedHashMap<>(output))
                    .setError(error)
                    .build();
        }

        /** Whether an answer already given says the same: outcome, output and error. */
        boolean sameAs(Acknowledgement given) {
            return given.getOutcome() == outcome
                    && Objects.equals(given.getOutput(), output)
                    && Objects.equals(given.getError(), error);
        }
    }
}
