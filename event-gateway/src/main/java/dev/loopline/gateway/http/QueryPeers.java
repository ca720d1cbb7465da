package dev.loopline.gateway.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * How one gateway process asks the others for the query partitions they serve: the same request,
 * with the caller's credentials, so that the peer authenticates and authorises the caller itself
 * (a peer holds no credentials of its own to lend). Peers are found in the query side's group
 * metadata ({@code application.server}); they speak HTTPS when this process does, and must then
 * present a certificate this JVM trusts for their advertised host.
 */
final class QueryPeers {

    /** Marks a request one process sent another: the receiver answers from its own partitions or not at all. */
    static final String FORWARDED = "Loopline-Forwarded";

    private static final List<String> CREDENTIALS = List.of("Authorization", "X-Api-Key");
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final HttpClient client =
            HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
    private final String scheme;

    QueryPeers(boolean https) {
        this.scheme = https ? "https" : "http";
    }

    static boolean isForwarded(Context ctx) {
        return ctx.header(FORWARDED) != null;
    }

    /** The caller's credential headers, to send on with its request. */
    static Map<String, String> credentials(Context ctx) {
        Map<String, String> credentials = new LinkedHashMap<>();
        for (String name : CREDENTIALS) {
            String value = ctx.header(name);
            if (value != null) {
                credentials.put(name, value);
            }
        }
        return Map.copyOf(credentials);
    }

    /** The caller's request, sent on to {@code host}, and its answer relayed as it is. */
    void relay(Context ctx, String host) throws InterruptedException {
        String query = ctx.queryString();
        HttpResponse<byte[]> answer;
        try {
            HttpRequest.Builder request =
                    builder(credentials(ctx), host, ctx.path() + (query == null ? "" : "?" + query));
            if (ctx.method() == HandlerType.POST) { // an answer to a message: its body goes with it
                request.header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(Json.bodyBytes(ctx)));
            }
            answer = client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw unreachable(host, e);
        }
        ctx.status(answer.statusCode());
        answer.headers().firstValue("Content-Type").ifPresent(ctx::contentType);
        answer.headers().firstValue("Retry-After").ifPresent(value -> ctx.header("Retry-After", value));
        ctx.result(answer.body());
    }

    /**
     * {@code GET pathAndQuery} at every peer at once, with the caller's credentials ({@link
     * #credentials}): each peer's JSON answer. A peer that does not answer 200 ends the request
     * with its problem.
     */
    Map<String, JsonNode> gather(Map<String, String> credentials, Set<String> peers, String pathAndQuery)
            throws InterruptedException {
        Map<String, CompletableFuture<HttpResponse<String>>> pending = new LinkedHashMap<>();
        for (String peer : peers) {
            pending.put(
                    peer,
                    client.sendAsync(request(credentials, peer, pathAndQuery), HttpResponse.BodyHandlers.ofString()));
        }
        Map<String, JsonNode> answers = new LinkedHashMap<>();
        for (var entry : pending.entrySet()) {
            HttpResponse<String> answer;
            try {
                answer = entry.getValue().get();
            } catch (ExecutionException e) {
                throw unreachable(entry.getKey(), e.getCause());
            }
            if (answer.statusCode() != 200) {
                throw new ProblemException(
                        answer.statusCode() >= 500 ? 503 : answer.statusCode(),
                        "peer",
                        "Another gateway process refused",
                        entry.getKey() + " answered " + answer.statusCode() + ": " + detail(answer.body()),
                        List.of());
            }
            try {
                answers.put(entry.getKey(), Json.MAPPER.readTree(answer.body()));
            } catch (IOException e) {
                throw unreachable(entry.getKey(), e);
            }
        }
        return answers;
    }

    private HttpRequest request(Map<String, String> credentials, String host, String pathAndQuery) {
        return builder(credentials, host, pathAndQuery).build();
    }

    /** A GET with the caller's credentials, marked forwarded. */
    private HttpRequest.Builder builder(Map<String, String> credentials, String host, String pathAndQuery) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(scheme + "://" + host + pathAndQuery))
                .timeout(TIMEOUT)
                .header(FORWARDED, "true")
                .header("Accept", "application/json")
                .GET();
        credentials.forEach(request::header);
        return request;
    }

    private static String detail(String body) {
        try {
            JsonNode problem = Json.MAPPER.readTree(body);
            return problem.path("detail").asText(body);
        } catch (IOException e) {
            return body;
        }
    }

    private static ProblemException unreachable(String host, Throwable cause) {
        return new ProblemException(
                503,
                "unavailable",
                "Another gateway process did not answer",
                host + " serves part of the query side and did not answer: " + cause,
                List.of());
    }
}
