package dev.loopline.api.serde;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;

/**
 * A client for the Confluent Schema Registry REST API ({@code /subjects/{s}/versions},
 * {@code /subjects/{s}}, {@code /schemas/ids/{id}}), as served by Confluent's registry and by
 * Apicurio Registry at {@code /apis/ccompat/v7}. Results are cached for the life of the process.
 */
public final class RestSchemaRegistryClient implements SchemaRegistryClient {

    private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    private static final Map<String, RestSchemaRegistryClient> SHARED = new ConcurrentHashMap<>();

    private final URI base;
    private final HttpClient http;
    private final ObjectMapper json = new ObjectMapper();
    private final Map<String, Integer> idsBySubjectAndSchema = new ConcurrentHashMap<>();
    private final Map<Integer, Schema> schemasById = new ConcurrentHashMap<>();

    public RestSchemaRegistryClient(String baseUrl) {
        this.base = URI.create(baseUrl.endsWith("/") ? baseUrl : baseUrl + "/");
        this.http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    }

    /** One client (and one cache) per registry URL in this process. */
    static RestSchemaRegistryClient shared(String baseUrl) {
        return SHARED.computeIfAbsent(baseUrl, RestSchemaRegistryClient::new);
    }

    /**
     * Registers idempotently. Two processes registering a new subject at the same moment can make
     * Apicurio answer the loser 409 ("artifact already exists"); Confluent's registry returns the
     * id instead, so the registration is retried, and then finds the schema registered.
     */
    @Override
    public int register(String subject, Schema schema) {
        return idsBySubjectAndSchema.computeIfAbsent(cacheKey(subject, schema), k -> {
            String path = "subjects/" + encode(subject) + "/versions";
            for (int attempt = 1; ; attempt++) {
                try {
                    return post(path, schema).get("id").asInt();
                } catch (SchemaRegistryException e) {
                    if (e.errorCode() != 409 || attempt >= 5) {
                        throw e;
                    }
                }
            }
        });
    }

    @Override
    public int idOf(String subject, Schema schema) {
        return idsBySubjectAndSchema.computeIfAbsent(
                cacheKey(subject, schema),
                k -> post("subjects/" + encode(subject), schema).get("id").asInt());
    }

    @Override
    public Schema schemaById(int id) {
        return schemasById.computeIfAbsent(id, i -> {
            JsonNode body = send(HttpRequest.newBuilder(base.resolve("schemas/ids/" + i))
                    .header("Accept", CONTENT_TYPE)
                    .GET());
            return new Schema.Parser().parse(body.get("schema").asText());
        });
    }

    private JsonNode post(String path, Schema schema) {
        String body;
        try {
            body = json.writeValueAsString(Map.of("schemaType", "AVRO", "schema", schema.toString()));
        } catch (IOException e) {
            throw new SchemaRegistryException("cannot encode schema request", e);
        }
        return send(HttpRequest.newBuilder(base.resolve(path))
                .header("Content-Type", CONTENT_TYPE)
                .header("Accept", CONTENT_TYPE)
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    private JsonNode send(HttpRequest.Builder request) {
        HttpRequest built = request.timeout(Duration.ofSeconds(30)).build();
        try {
            HttpResponse<String> response = http.send(built, HttpResponse.BodyHandlers.ofString());
            JsonNode body = response.body().isEmpty() ? json.nullNode() : json.readTree(response.body());
            if (response.statusCode() / 100 != 2) {
                int code = body.path("error_code").asInt(response.statusCode());
                String message = body.path("message").asText(response.body());
                throw new SchemaRegistryException(
                        "schema registry " + built.method() + " " + built.uri() + " answered " + response.statusCode()
                                + ": " + message,
                        code);
            }
            return body;
        } catch (IOException e) {
            throw new SchemaRegistryException("schema registry at " + base + " unreachable: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SchemaRegistryException("interrupted calling the schema registry", e);
        }
    }

    private static String cacheKey(String subject, Schema schema) {
        return subject + '\u0000' + schema.toString();
    }

    private static String encode(String subject) {
        return URLEncoder.encode(subject, StandardCharsets.UTF_8);
    }
}
