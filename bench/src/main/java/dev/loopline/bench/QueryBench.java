package dev.loopline.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.loopline.api.TopicProvisioner;
import dev.loopline.api.Topics;
import dev.loopline.api.security.ApiKeyStore;
import dev.loopline.api.security.Role;
import dev.loopline.api.serde.AvroSerdes;
import dev.loopline.api.v1.InstanceState;
import dev.loopline.api.v1.InstanceTransition;
import dev.loopline.testsupport.infra.ChildProcesses;
import dev.loopline.testsupport.infra.Directories;
import dev.loopline.testsupport.infra.FreePorts;
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
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import java.util.stream.Stream;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The query side at scale: for each instance count, writes that many instances' transitions to a
 * fresh transitions topic (three each, as the runtime writes them: created, locked, then
 * suspended, succeeded or failed), starts a gateway in a JVM of its own with a bounded heap, and
 * reports how long it took to serve correct counts, the latency of each kind of query (by id,
 * history, list pages with and without filters, counts), the gateway's heap after a full GC and
 * its resident memory, and the time to correct counts after a clean restart, after kill -9, and
 * for a new process on an empty disk (restored from the changelogs). The loop is idle: no runtime
 * runs, so the figures are the query side's alone. Speed is reported, never asserted.
 *
 * <pre>
 * java -cp bench/target/loopline-bench-0.1.0-SNAPSHOT.jar \
 *      -Dorg.apache.avro.SERIALIZABLE_PACKAGES=dev.loopline -Dloopline.apicurio.home=bench/target/apicurio \
 *      dev.loopline.bench.QueryBench [--instances 1000000,10000000] [--requests 1000] [--gateway-heap 256m]
 *      [--out target/query-bench.json] [--logs target/query-bench-logs]
 * </pre>
 */
public final class QueryBench {

    private static final Instant T0 = Instant.parse("2026-11-01T00:00:00Z");
    private static final Duration SPAN = Duration.ofDays(30);
    private static final int PARTITIONS = 6;
    private static final int DEFINITIONS = 10;

    private final Infrastructure infra;
    private final Path scratch;
    private final int requests;
    private final String heap;
    private final PrintStream out;
    private final String key = ApiKeyStore.newKey();
    private final Path keys;
    private final Path logs;
    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();

    private QueryBench(Infrastructure infra, Path scratch, Path logs, int requests, String heap, PrintStream out)
            throws IOException {
        this.logs = Files.createDirectories(logs);
        this.infra = infra;
        this.scratch = scratch;
        this.requests = requests;
        this.heap = heap;
        this.out = out;
        this.keys = scratch.resolve("api-keys.json");
        Files.writeString(keys, "[" + ApiKeyStore.entry(key, "bench", EnumSet.allOf(Role.class)) + "]");
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> given = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            given.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        List<Integer> counts = Stream.of(
                        given.getOrDefault("instances", "1000000").split(","))
                .map(String::trim)
                .map(Integer::parseInt)
                .toList();
        Path outFile = Path.of(given.getOrDefault("out", "target/query-bench.json"));
        Map<String, Object> report;
        System.out.println("Starting Apache Kafka (KRaft, in this JVM) and Apicurio Registry…");
        try (Infrastructure infra = Infrastructure.start()) {
            report = run(
                    infra,
                    counts,
                    Integer.parseInt(given.getOrDefault("requests", "1000")),
                    given.getOrDefault("gateway-heap", "256m"),
                    Path.of(given.getOrDefault("logs", "target/query-bench-logs")),
                    System.out);
        }
        Files.createDirectories(outFile.toAbsolutePath().getParent());
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(outFile.toFile(), report);
        System.out.println("JSON written to " + outFile.toAbsolutePath());
    }

    /** Every instance count in turn, on the given broker and registry: the report, by count. */
    public static Map<String, Object> run(
            Infrastructure infra, List<Integer> counts, int requests, String heap, Path logs, PrintStream out)
            throws Exception {
        Path scratch = Files.createTempDirectory("loopline-query-bench-");
        try {
            QueryBench bench = new QueryBench(infra, scratch, logs, requests, heap, out);
            Map<String, Object> report = new LinkedHashMap<>();
            for (int n : counts) {
                report.put(Integer.toString(n), bench.run(n));
            }
            return report;
        } finally {
            Directories.deleteRecursively(scratch);
        }
    }

    private Map<String, Object> run(int instances) throws Exception {
        Map<String, Object> result = new LinkedHashMap<>();
        Topics topics = new Topics("qbench-" + UUID.randomUUID().toString().substring(0, 8) + ".");
        try (Admin admin = infra.admin()) {
            TopicProvisioner.ensureTopics(admin, topics, PARTITIONS, (short) 1);
        }
        out.printf("%,d instances: writing %,d transitions…%n", instances, 3L * instances);
        long writeStart = System.nanoTime();
        write(topics, instances);
        double writeSeconds = (System.nanoTime() - writeStart) / 1e9;
        result.put("transitionsWrittenPerSecond", Math.round(3L * instances / writeSeconds));

        Path state = Files.createDirectories(scratch.resolve(topics.prefix() + "a"));
        int port = FreePorts.next();
        Gateway gateway = new Gateway(topics, state, port, "first");
        result.put("firstStartToCorrectCountsSeconds", gateway.secondsToCorrectCounts(instances));
        out.printf("  built from the topic in %.1f s%n", (double) result.get("firstStartToCorrectCountsSeconds"));
        result.put("latencyMs", latencies(port, instances));
        result.put("gatewayHeapAfterFullGcMb", gateway.heapAfterGcMb());
        result.put("gatewayRssMb", gateway.rssMb());
        result.put("gatewayMaxHeap", heap);

        gateway.stop();
        result.put("stateOnDiskMb", size(state) / 1_000_000); // after a clean stop: memtables flushed
        gateway = new Gateway(topics, state, port, "restart");
        result.put("restartToCorrectCountsSeconds", gateway.secondsToCorrectCounts(instances));
        gateway.kill();
        gateway = new Gateway(topics, state, port, "after-kill");
        result.put("killNineRestartToCorrectCountsSeconds", gateway.secondsToCorrectCounts(instances));
        gateway.stop();
        Path empty = Files.createDirectories(scratch.resolve(topics.prefix() + "b"));
        gateway = new Gateway(topics, empty, port, "new-disk");
        result.put("newProcessEmptyDiskToCorrectCountsSeconds", gateway.secondsToCorrectCounts(instances));
        gateway.stop();
        out.printf("  %s%n", result);
        Directories.deleteRecursively(state);
        Directories.deleteRecursively(empty);
        try (Admin admin = infra.admin()) { // the disk is needed for the next count
            admin.deleteTopics(admin.listTopics().names().get().stream()
                            .filter(name -> name.startsWith(topics.prefix()))
                            .toList())
                    .all()
                    .get();
        }
        return result;
    }

    /** Three transitions per instance, keyed by instance id, as the runtime writes them. */
    private void write(Topics topics, int instances) {
        Map<String, Object> config = new HashMap<>(infra.clientConfig());
        config.put(ProducerConfig.ACKS_CONFIG, "1");
        config.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        config.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        config.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        try (var producer = new KafkaProducer<>(
                config,
                new StringSerializer(),
                new AvroSerdes(infra.clientConfig())
                        .valueSerde(InstanceTransition.class)
                        .serializer())) {
            for (int i = 0; i < instances; i++) {
                for (InstanceTransition t : transitions(i, instances)) {
                    producer.send(new ProducerRecord<>(topics.transitions(), t.getInstanceId(), t));
                }
            }
            producer.flush();
        }
    }

    /**
     * Instance {@code i}: ten definitions (every seventh instance on version 2), three instances
     * per entity, created evenly over 30 days; 15% succeed, 5% fail with an error code, the rest
     * wait (one in a thousand of them with a rare error code).
     */
    static List<InstanceTransition> transitions(int i, int instances) {
        Instant created = T0.plusMillis(SPAN.toMillis() * i / instances);
        String definition = "def-" + (i % DEFINITIONS);
        int version = i % 7 == 0 ? 2 : 1;
        int kind = i % 20;
        InstanceState last = kind <= 3 ? InstanceState.COMPLETED : InstanceState.SUSPENDED;
        int status = kind <= 2 ? 30 : kind == 3 ? 31 : 10;
        String error = kind == 3 ? "HandlerFailed" : i % 1000 == 7 ? "Rare" : null;
        List<InstanceTransition> transitions = new ArrayList<>(3);
        transitions.add(transition(i, 1, InstanceState.READY, 0, created, definition, version, null));
        transitions.add(transition(i, 2, InstanceState.LOCKED, 20, created.plusMillis(3), definition, version, null));
        transitions.add(transition(i, 3, last, status, created.plusMillis(9), definition, version, error));
        return transitions;
    }

    static String instanceId(int i) {
        return "inst-" + i;
    }

    private static InstanceTransition transition(
            int i,
            int sequence,
            InstanceState state,
            int status,
            Instant at,
            String definition,
            int version,
            String error) {
        return InstanceTransition.newBuilder()
                .setInstanceId(instanceId(i))
                .setDefinitionId(definition)
                .setDefinitionVersion(version)
                .setSequence(sequence)
                .setState(state)
                .setStatusCode(status)
                .setTimestamp(at)
                .setReason(status == 10 ? "waiting for Approved" : null)
                .setWaitingFor(status == 10 ? List.of("event:Approved") : List.of())
                .setErrorCode(error)
                .setErrorMessage(error == null ? null : "the handler answered 500")
                .setEntityType("order")
                .setEntityId("o-" + i / 3)
                .build();
    }

    /** Each kind of query, {@code requests} times with random arguments: p50, p99 and max in ms. */
    private Map<String, Object> latencies(int port, int instances) throws Exception {
        Random random = new Random(42);
        Map<String, IntFunction<String>> kinds = new LinkedHashMap<>();
        kinds.put("byId", r -> "/v1/instances/" + instanceId(r));
        kinds.put("history", r -> "/v1/instances/" + instanceId(r) + "/transitions");
        kinds.put("listPage", r -> "/v1/instances?limit=100");
        kinds.put("listPageByDefinition", r -> "/v1/instances?limit=100&definitionId=def-" + r % DEFINITIONS);
        kinds.put("listPageByDefinitionVersion", r -> "/v1/instances?limit=100&definitionId=def-0&definitionVersion=2");
        kinds.put("listPageByStatus", r -> "/v1/instances?limit=100&statusCode=30");
        kinds.put("listPageByStateAndDefinition", r -> "/v1/instances?limit=100&state=COMPLETED&definitionId=def-3");
        kinds.put("listPageByErrorCode", r -> "/v1/instances?limit=100&errorCode=Rare");
        kinds.put("listPageByEntity", r -> "/v1/instances?limit=100&entityId=o-" + r / 3);
        kinds.put("listPageByWaitingFor", r -> "/v1/instances?limit=100&waitingFor=event:Approved");
        kinds.put("listPageByTimeRange", r -> {
            Instant from = T0.plusMillis(SPAN.toMillis() * r / instances);
            return "/v1/instances?limit=100&from=" + from + "&to=" + from.plus(Duration.ofHours(1));
        });
        kinds.put("listSecondPage", r -> null); // filled in below: the page after the first
        kinds.put("counts", r -> "/v1/instances/counts");
        Map<String, Object> latencies = new LinkedHashMap<>();
        String next = json.readTree(get(port, "/v1/instances?limit=100").body())
                .path("next")
                .asText();
        kinds.put("listSecondPage", r -> "/v1/instances?limit=100&after=" + next);
        for (var kind : kinds.entrySet()) {
            for (int warm = 0; warm < Math.min(100, requests); warm++) {
                get(port, kind.getValue().apply(random.nextInt(instances)));
            }
            Histogram micros = new Histogram(60_000_000L, 3);
            int errors = 0;
            for (int n = 0; n < requests; n++) {
                String path = kind.getValue().apply(random.nextInt(instances));
                long start = System.nanoTime();
                HttpResponse<String> answer = get(port, path);
                micros.recordValue(Math.max(1, (System.nanoTime() - start) / 1_000));
                if (answer.statusCode() != 200) {
                    errors++;
                }
            }
            latencies.put(
                    kind.getKey(),
                    Map.of(
                            "p50", micros.getValueAtPercentile(50) / 1000.0,
                            "p99", micros.getValueAtPercentile(99) / 1000.0,
                            "max", micros.getMaxValue() / 1000.0,
                            "non200", errors));
            out.printf(
                    "  %-30s p50 %7.2f ms  p99 %7.2f ms  max %7.2f ms  non-200 %d%n",
                    kind.getKey(),
                    micros.getValueAtPercentile(50) / 1000.0,
                    micros.getValueAtPercentile(99) / 1000.0,
                    micros.getMaxValue() / 1000.0,
                    errors);
        }
        return latencies;
    }

    private HttpResponse<String> get(int port, String path) throws IOException, InterruptedException {
        return http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                        .header("X-Api-Key", key)
                        .timeout(Duration.ofSeconds(30))
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** A gateway in a JVM of its own, with the bench's heap bound, on a state directory. */
    private final class Gateway {

        private final Process process;
        private final int port;
        private final long started = System.nanoTime();

        Gateway(Topics topics, Path state, int port, String name) throws IOException {
            this.port = port;
            String java = ProcessHandle.current().info().command().orElse("java");
            ProcessBuilder builder = new ProcessBuilder(
                            java,
                            "-Xmx" + heap,
                            "-XX:+UseG1GC",
                            "-Dorg.apache.avro.SERIALIZABLE_PACKAGES=dev.loopline",
                            "-cp",
                            System.getProperty("java.class.path"),
                            "dev.loopline.gateway.Main")
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(
                            logs.resolve(topics.prefix() + name + ".log").toFile()));
            Map<String, String> env = builder.environment();
            env.put("LOOPLINE_BOOTSTRAP_SERVERS", infra.bootstrapServers());
            env.put("LOOPLINE_SCHEMA_REGISTRY_URL", infra.schemaRegistryUrl());
            env.put("LOOPLINE_TOPIC_PREFIX", topics.prefix());
            env.put("LOOPLINE_HTTP_HOST", "127.0.0.1");
            env.put("LOOPLINE_HTTP_PORT", Integer.toString(port));
            env.put("LOOPLINE_QUERY_STATE_DIR", state.toString());
            env.put("LOOPLINE_API_KEYS_FILE", keys.toString());
            env.put("LOOPLINE_HTTP_RATE_LIMIT", "0");
            // a stable name, as a StatefulSet pod has: a restarted process takes its partitions back at once
            env.put("LOOPLINE_KAFKA_GROUP_INSTANCE_ID", "bench-gateway");
            this.process = builder.start();
        }

        /** Seconds from this process's start until its counts add up to every instance. */
        double secondsToCorrectCounts(int instances) throws Exception {
            long deadline = System.nanoTime() + TimeUnit.HOURS.toNanos(2);
            while (System.nanoTime() < deadline) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("the gateway stopped: see its log in " + logs);
                }
                try {
                    HttpResponse<String> counts = get(port, "/v1/instances/counts");
                    if (counts.statusCode() == 200 && total(json.readTree(counts.body())) == instances) {
                        return (System.nanoTime() - started) / 1e9;
                    }
                } catch (IOException notListeningYet) {
                    // the JVM is starting
                }
                TimeUnit.MILLISECONDS.sleep(100);
            }
            throw new IllegalStateException("the gateway did not serve correct counts within 2 hours");
        }

        long heapAfterGcMb() throws Exception {
            jcmd("GC.run");
            String info = jcmd("GC.heap_info");
            // "garbage-first heap   total 262144K, used 81234K [...]"
            var matcher = java.util.regex.Pattern.compile("used (\\d+)K").matcher(info);
            return matcher.find() ? Long.parseLong(matcher.group(1)) / 1024 : -1;
        }

        long rssMb() throws IOException {
            for (String line : Files.readAllLines(Path.of("/proc/" + process.pid() + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
                }
            }
            return -1;
        }

        private String jcmd(String command) throws Exception {
            Process jcmd = new ProcessBuilder("jcmd", Long.toString(process.pid()), command)
                    .redirectErrorStream(true)
                    .start();
            String output = new String(jcmd.getInputStream().readAllBytes());
            jcmd.waitFor(30, TimeUnit.SECONDS);
            return output;
        }

        void stop() {
            ChildProcesses.stop(process, Duration.ofSeconds(30));
        }

        void kill() throws InterruptedException {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }

    private static long total(JsonNode counts) {
        long total = 0;
        for (JsonNode byStatus : counts) {
            for (JsonNode count : byStatus) {
                total += count.asLong();
            }
        }
        return total;
    }

    private static long size(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile)
                    .mapToLong(f -> f.toFile().length())
                    .sum();
        }
    }
}
