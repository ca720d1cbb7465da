package dev.loopline.gateway.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.javalin.http.Context;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeoutException;

final class Json {

    /**
     * Strict: a duplicate key or anything after the value is an error rather than silently the last
     * key or ignored, so that what the gateway acts on is what the caller wrote.
     */
    static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .build();

    private Json() {}

    /** The request body as a JSON object, or a 400 problem. */
    static JsonNode objectBody(Context ctx) {
        JsonNode body;
        try {
            body = MAPPER.readTree(utf8(bodyBytes(ctx)));
        } catch (JsonProcessingException e) {
            throw ProblemException.invalid(
                    List.of(new Problem.FieldError("$", "malformed JSON: " + e.getOriginalMessage())));
        }
        if (body == null || !body.isObject()) {
            throw ProblemException.invalid(List.of(new Problem.FieldError("$", "expected a JSON object")));
        }
        String surrogate = loneSurrogateIn(body);
        if (surrogate != null) {
            throw ProblemException.invalid(
                    List.of(new Problem.FieldError(surrogate, "a lone UTF-16 surrogate is not a character")));
        }
        return body;
    }

    /** The request body as text, or a 400 problem if it is not valid UTF-8. */
    static String textBody(Context ctx) {
        return utf8(bodyBytes(ctx));
    }

    /**
     * The request body, or a 408 problem when it did not arrive by its deadline ({@link
     * BodyDeadline}). Javalin would answer that with an empty 408 of its own.
     */
    static byte[] bodyBytes(Context ctx) {
        try {
            return ctx.bodyAsBytes();
        } catch (Exception e) { // Javalin rethrows the servlet's IOException undeclared
            for (Throwable cause = e; cause != null; cause = cause.getCause()) {
                if (cause instanceof TimeoutException timeout) {
                    throw new ProblemException(
                            408, "request-timeout", "Request timeout", timeout.getMessage(), List.of());
                }
            }
            throw e; // as it was, so that Javalin still sees a client that went away as one
        }
    }

    /** The body as text; malformed UTF-8 is refused rather than replaced with U+FFFD. */
    private static String utf8(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw ProblemException.invalid(List.of(new Problem.FieldError("$", "the body is not valid UTF-8")));
        }
    }

    /** The path of a key or text with an unpaired surrogate (from a {@code \\ud800} escape), or null. */
    private static String loneSurrogateIn(JsonNode node) {
        return loneSurrogateIn(node, "$");
    }

    private static String loneSurrogateIn(JsonNode node, String path) {
        if (node.isTextual()) {
            return hasLoneSurrogate(node.textValue()) ? path : null;
        }
        if (node.isObject()) {
            for (var field : node.properties()) {
                String at = path + "." + field.getKey();
                if (hasLoneSurrogate(field.getKey())) {
                    return at;
                }
                String found = loneSurrogateIn(field.getValue(), at);
                if (found != null) {
                    return found;
                }
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                String found = loneSurrogateIn(node.get(i), path + "[" + i + "]");
                if (found != null) {
                    return found;
                }
            }
        }
        return null;
    }

    static boolean hasLoneSurrogate(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return true;
            }
        }
        return false;
    }

    /**
     * A {@code beforeMatched} handler: a POST with a body must say it is JSON, else 415. A form or a
     * {@code text/plain} POST is what a foreign web page can send without a CORS preflight.
     */
    static void requireJsonBody(Context ctx) {
        if (!"POST".equals(ctx.method().name()) || bodyBytes(ctx).length == 0) {
            return;
        }
        String type = ctx.contentType();
        String media = type == null ? "" : type.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        if (!media.equals("application/json")) {
            throw new ProblemException(
                    415,
                    "unsupported-media-type",
                    "Unsupported media type",
                    "a request body must be application/json, not " + (type == null ? "untyped" : type),
                    List.of());
        }
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
