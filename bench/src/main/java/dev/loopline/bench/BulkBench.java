package dev.loopline.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.loopline.api.TopicProvisioner;
import dev.loopline.api.Topics;
import dev.loopline.api.security.ApiKeyStore;
import dev.loopline.api.security.Role;
import dev.loopline.api.serde.AvroSerdes;
import dev.loopline.api.v1.PlatformEvent;
import dev.loopline.gateway.EventGateway;
import dev.loopline.gateway.GatewayConfig;
import dev.loopline.runtime.LooplineRuntime;
import dev.loopline.runtime.config.RuntimeConfig;
import dev.loopline.testsupport.handler.AcknowledgingHandler;
import dev.loopline.testsupport.infra.Directories;
import dev.loopline.testsupport.infra.Infrastructure;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * A bulk action over many instances: N instances wait for an event, then one request cancels
 * every one of them. Reports how long the request took to be answered (the operation runs in the
 * background), how long the operation took to finish and at what rate, its tally, and whether the
 * counts then show every instance canceled exactly once. Runtime, gateway and broker share this
 * JVM, as in the demo. Speed is reported, never asserted.
 *
 * <pre>
 * java -cp bench/target/loopline-bench-0.1.0-SNAPSHOT.jar \
 *      -Dorg.apache.avro.SERIALIZABLE_PACKAGES=dev.loopline -Dloopline.apicurio.home=bench/target/apicurio \
 *      dev.loopline.bench.BulkBench [--instances 100000] [--out target/bulk-bench.json]
 * </pre>
 */
public final class BulkBench {

    private static final ObjectMapper JSON = new ObjectMapper();

    private BulkBench() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> given = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            given.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        int instances = Integer.parseInt(given.getOrDefault("instances", "100000"));
        Path outFile = Path.of(given.getOrDefault("out", "target/bulk-bench.json"));
        System.out.println("Starting Apache Kafka (KRaft, in this JVM) and Apicurio Registry…");
        Map<String, Object> report;
        try (Infrastructure infra = Infrastructure.start()) {
            report = run(infra, instances, System.out);
        }
        Files.createDirectories(outFile.toAbsolutePath().getParent());
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(outFile.toFile(), report);
        System.out.println("JSON written to " + outFile.toAbsolutePath());
    }

    public static Map<String, Object> run(Infrastructure infra, int instances, PrintStream out) throws Exception {
        Topics topics = new Topics("bulk-" + UUID.randomUUID().toString().substring(0, 8) + ".");
        Path scratch = Files.createTempDirectory("loopline-bulk-bench-");
        String key = ApiKeyStore.newKey();
        Path keys = scratch.resolve("api-keys.json");
        Files.writeString(keys, "[" + ApiKeyStore.entry(key, "bench", EnumSet.allOf(Role.class)) + "]");
        try (Admin admin = infra.admin()) {
            TopicProvisioner.ensureTopics(admin, topics, 6, (short) 1);
        }
        Map<String, String> settings = new HashMap<>();
        settings.put("LOOPLINE_BOOTSTRAP_SERVERS", infra.bootstrapServers());
        settings.put("LOOPLINE_SCHEMA_REGISTRY_URL", infra.schemaRegistryUrl());
        settings.put("LOOPLINE_TOPIC_PREFIX", topics.prefix());
        settings.put("LOOPLINE_APPLICATION_ID", topics.prefix() + "runtime");
        settings.put("LOOPLINE_STATE_DIR", scratch.resolve("runtime").toString());
        settings.put("LOOPLINE_HTTP_HOST", "127.0.0.1");
        settings.put("LOOPLINE_HTTP_PORT", "0");
        settings.put("LOOPLINE_MANAGEMENT_PORT", "0");
        settings.put("LOOPLINE_HTTP_RATE_LIMIT", "0");
        settings.put("LOOPLINE_API_KEYS_FILE", keys.toString());
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("instances", instances);
        try (LooplineRuntime runtime = LooplineRuntime.start(RuntimeConfig.from(settings));
                EventGateway gateway = EventGateway.start(GatewayConfig.from(settings));
                AcknowledgingHandler handler =
                        AcknowledgingHandler.start(infra.clientConfig(), topics, topics.prefix() + "app")) {
            Http http = new Http(gateway.port(), key);
            if (!runtime.awaitRunning(Duration.ofMinutes(2)) || !gateway.awaitQueries(Duration.ofMinutes(2))) {
                throw new IllegalStateException("the runtime or the gateway did not start");
            }
            require(http.post("/v1/definitions", """
                    {"id":"bulk","name":"bulk","trigger":{"entityType":"order","messageName":"Create"},
                     "steps":[{"name":"approval","kind":"wait-for-event",
                               "event":{"entityType":"order","messageName":"Approved","key":"trigger.entityId"}}]}"""), 201);
            require(http.post("/v1/definitions/bulk/activate", ""), 200);
            waitFor(() -> runtime.catalogEntry("bulk").isPresent(), Duration.ofMinutes(1), "the activation");

            out.printf("Bulk: %,d instances start and wait…%n", instances);
            long start = System.nanoTime();
            publish(infra, topics, instances);
            waitFor(() -> http.count("SUSPENDED", "10") == instances, Duration.ofHours(1), "the instances to wait");
            result.put("createSeconds", (System.nanoTime() - start) / 1e9);

            out.println("Bulk: cancel them all with one request…");
            long asked = System.nanoTime();
            HttpResponse<String> accepted =
                    http.post("/v1/instances/actions/cancel", "{\"filter\":{\"definitionId\":\"bulk\"}}");
            result.put("answeredMs", (System.nanoTime() - asked) / 1e6);
            require(accepted, 202);
            String operation = "/v1/operations/"
                    + JSON.readTree(accepted.body()).get("operationId").asText();
            JsonNode done = waitUntil(
                    () -> JSON.readTree(http.get(operation).body()),
                    progress -> !progress.path("state").asText().equals("QUEUED")
                            && !progress.path("state").asText().equals("RUNNING"),
                    Duration.ofHours(1),
                    "the operation to finish");
            double seconds = (System.nanoTime() - asked) / 1e9;
            result.put("operationSeconds", seconds);
            result.put("canceledPerSecond", done.path("accepted").asLong() / seconds);
            result.put(
                    "operation",
                    Map.of(
                            "state", done.path("state").asText(),
                            "matched", done.path("matched").asLong(),
                            "accepted", done.path("accepted").asLong(),
                            "refused", done.path("refused").asLong(),
                            "unanswered", done.path("unanswered").asLong()));
            waitFor(() -> http.count("COMPLETED", "32") == instances, Duration.ofMinutes(5), "the canceled count");
            result.put("canceledCounted", http.count("COMPLETED", "32"));
            result.put("waitingCounted", http.count("SUSPENDED", "10"));
            result.put("messagesHandled", handler.handled()); // each instance's "workflow started"
            out.println("Bulk: " + result);
        } finally {
            Directories.deleteRecursively(scratch);
        }
        return result;
    }

    private static void publish(Infrastructure infra, Topics topics, int instances) {
        Map<String, Object> config = new HashMap<>(infra.clientConfig());
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        try (var producer = new KafkaProducer<>(
                config,
                new StringSerializer(),
                new AvroSerdes(infra.clientConfig())
                        .valueSerde(PlatformEvent.class)
                        .serializer())) {
            for (int i = 0; i < instances; i++) {
                String id = "o-" + i;
                producer.send(new ProducerRecord<>(
                        topics.events(),
                        id,
                        PlatformEvent.newBuilder()
                                .setEventId("bulk-" + i)
                                .setSource("bench")
                                .setEntityType("order")
                                .setEntityId(id)
                                .setMessageName("Create")
                                .setOccurredAt(Instant.now())
                                .build()));
            }
        }
    }

    /** The gateway's HTTP API with the bench's key. */
    private record Http(int port, String key) {
        private static final HttpClient CLIENT = HttpClient.newHttpClient();

        HttpResponse<String> get(String path) throws IOException, InterruptedException {
            return CLIENT.send(request(path).GET().build(), HttpResponse.BodyHandlers.ofString());
        }

        HttpResponse<String> post(String path, String body) throws IOException, InterruptedException {
            return CLIENT.send(
                    request(path)
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(body))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
        }

        /** The count at a state and status, or -1 while the query side cannot count every partition. */
        long count(String state, String status) throws IOException, InterruptedException {
            HttpResponse<String> counts = get("/v1/instances/counts");
            return counts.statusCode() == 200
                    ? JSON.readTree(counts.body()).path(state).path(status).asLong()
                    : -1;
        }

        private HttpRequest.Builder request(String path) {
            return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .header("X-Api-Key", key)
                    .timeout(Duration.ofSeconds(30));
        }
    }

    private static void require(HttpResponse<String> response, int status) {
        if (response.statusCode() != status) {
            throw new IllegalStateException(
                    "expected " + status + ", got " + response.statusCode() + ": " + response.body());
        }
    }

    interface Check {
        boolean done() throws Exception;
    }

    interface Read<T> {
        T read() throws Exception;
    }

    private static void waitFor(Check check, Duration timeout, String what) throws Exception {
        waitUntil(check::done, Boolean::booleanValue, timeout, what);
    }

    private static <T> T waitUntil(Read<T> read, Predicate<T> done, Duration timeout, String what) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            T value = read.read();
            if (done.test(value)) {
                return value;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out waiting for " + what + "; last seen: " + value);
            }
            TimeUnit.MILLISECONDS.sleep(250);
        }
    }
}
