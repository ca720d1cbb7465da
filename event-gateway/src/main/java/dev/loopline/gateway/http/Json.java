package dev.loopline.gateway.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.javalin.http.Context;
import java.util.List;

final class Json {

    static final ObjectMapper MAPPER = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    private Json() {}

    /** The request body as a JSON object, or a 400 problem. */
    static JsonNode objectBody(Context ctx) {
        JsonNode body;
        try {
            body = MAPPER.readTree(ctx.body());
        } catch (JsonProcessingException e) {
            throw ProblemException.invalid(
                    List.of(new Problem.FieldError("$", "malformed JSON: " + e.getOriginalMessage())));
        }
        if (body == null || !body.isObject()) {
            throw ProblemException.invalid(List.of(new Problem.FieldError("$", "expected a JSON object")));
        }
        return body;
    }

    static void respond(Context ctx, int status, Object body) {
        try {
            ctx.status(status).contentType("application/json").result(MAPPER.writeValueAsString(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static void problem(Context ctx, Problem problem) {
        try {
            ctx.status(problem.status()).contentType(Problem.CONTENT_TYPE).result(MAPPER.writeValueAsString(problem));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
