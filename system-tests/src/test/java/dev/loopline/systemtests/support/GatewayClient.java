package dev.loopline.systemtests.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loopline.api.security.ApiKeyStore;
import dev.loopline.api.security.Role;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * A thin HTTP client for the gateway, as a publisher or administrator would use it. It sends an
 * API key as {@code Authorization: Bearer}: by default the suite's key, which has every role and
 * which every gateway started with {@link #authSettings()} (and so {@link TestRuntime#settings})
 * accepts.
 */
public final class GatewayClient {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** A key for the whole test run, made at random; the gateways' keys file holds only its hash. */
    public static final String SUITE_KEY = ApiKeyStore.newKey();
    /** The principal of {@link #SUITE_KEY}, as it appears in audit fields. */
    public static final String SUITE_PRINCIPAL = "system-tests";

    private static Path suiteKeysFile;

    private final HttpClient http = HttpClient.newHttpClient();
    private final String base;
    private final String credential;

    /** A client with the suite's key (every role). */
    public GatewayClient(int port) {
        this(port, SUITE_KEY);
    }

    /** A client with this API key or JWT; null sends no credentials. */
    public GatewayClient(int port, String credential) {
        this.base = "http://127.0.0.1:" + port;
        this.credential = credential;
    }

    /** A client that sends no credentials. */
    public static GatewayClient anonymous(int port) {
        return new GatewayClient(port, null);
    }

    /** Gateway settings that accept {@link #SUITE_KEY}: a keys file written once for the run. */
    public static synchronized Map<String, String> authSettings() {
        if (suiteKeysFile == null) {
            try {
                Path file = Files.createTempFile("loopline-it-keys-", ".json");
                file.toFile().deleteOnExit();
                Files.writeString(
                        file, "[" + ApiKeyStore.entry(SUITE_KEY, SUITE_PRINCIPAL, EnumSet.allOf(Role.class)) + "]");
                suiteKeysFile = file;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return Map.of("LOOPLINE_API_KEYS_FILE", suiteKeysFile.toString());
    }

    /**
     * Gateway settings that accept {@link #SUITE_KEY} and the test's own keys ({@link
     * ApiKeyStore#entry} each): a keys file of the test's.
     */
    public static Map<String, String> authSettings(String... entries) {
        try {
            Path file = Files.createTempFile("loopline-it-keys-", ".json");
            file.toFile().deleteOnExit();
            List<String> all =
                    new ArrayList<>(List.of(ApiKeyStore.entry(SUITE_KEY, SUITE_PRINCIPAL, EnumSet.allOf(Role.class))));
            all.addAll(List.of(entries));
            Files.writeString(file, "[" + String.join(",", all) + "]");
            return Map.of("LOOPLINE_API_KEYS_FILE", file.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Response post(String path, String json) {
        return postAsync(path, json).join();
    }

    public CompletableFuture<Response> postAsync(String path, String json) {
        return postAsync(path, json, Map.of());
    }

    /** A POST with headers of the caller's own, such as a W3C {@code traceparent}. */
    public Response post(String path, String json, Map<String, String> headers) {
        return postAsync(path, json, headers).join();
    }

    private CompletableFuture<Response> postAsync(String path, String json, Map<String, String> headers) {
        HttpRequest.Builder request = authorised(HttpRequest.newBuilder(URI.create(base + path)))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json));
        headers.forEach(request::header);
        return http.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString())
                .thenApply(Response::new);
    }

    public Response delete(String path) {
        return send(authorised(HttpRequest.newBuilder(URI.create(base + path)))
                .DELETE()
                .build());
    }

    public Response get(String path) {
        return send(authorised(HttpRequest.newBuilder(URI.create(base + path)))
                .GET()
                .build());
    }

    /**
     * Every item of a paged list ({@code /v1/instances}, {@code /v1/dead-letters}), following each
     * page's {@code next} to the end.
     */
    public List<JsonNode> pageThrough(String query) {
        List<JsonNode> items = new ArrayList<>();
        String next = null;
        for (int pages = 0; pages < 10_000; pages++) {
            String path = next == null ? query : query + (query.contains("?") ? "&" : "?") + "after=" + next;
            JsonNode page = get(path).json();
            page.get("items").forEach(items::add);
            if (page.get("next").isNull()) {
                return items;
            }
            next = page.get("next").asText();
        }
        throw new AssertionError("no end after 10,000 pages of " + query);
    }

    /**
     * The number of items on the first page of a list, or -1 while the gateway answers 503 because
     * a query-side partition is restoring or moving (it never answers with a short list). Any other
     * status fails the caller.
     */
    public int listed(String query) {
        Response response = get(query);
        if (response.status() == 503) {
            return -1;
        }
        if (response.status() != 200) {
            throw new AssertionError("GET " + query + " answered " + response.status() + ": " + response.body());
        }
        return response.json().get("items").size();
    }

    /** The query side's partitions this gateway process serves now. */
    public List<Integer> localPartitions() {
        List<Integer> partitions = new ArrayList<>();
        get("/v1/local/instances/counts").json().get("partitions").forEach(p -> partitions.add(p.asInt()));
        return partitions;
    }

    private HttpRequest.Builder authorised(HttpRequest.Builder request) {
        return credential == null ? request : request.header("Authorization", "Bearer " + credential);
    }

    private Response send(HttpRequest request) {
        try {
            return new Response(http.send(request, HttpResponse.BodyHandlers.ofString()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The status, content type and parsed JSON body of a response. */
    public record Response(int status, String contentType, String body, String authenticate) {
        Response(HttpResponse<String> response) {
            this(
                    response.statusCode(),
                    response.headers().firstValue("Content-Type").orElse(""),
                    response.body(),
                    response.headers().firstValue("WWW-Authenticate").orElse(null));
        }

        public JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new UncheckedIOException("not JSON: " + body, e);
            }
        }
    }
}
