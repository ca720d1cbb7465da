package dev.loopline.demo;

import dev.loopline.api.Topics;
import dev.loopline.api.security.ApiKeyStore;
import dev.loopline.api.security.Role;
import dev.loopline.api.v1.InstanceTransition;
import dev.loopline.api.v1.WorkflowMessage;
import dev.loopline.client.Ack;
import dev.loopline.client.LooplineClient;
import dev.loopline.client.Message;
import dev.loopline.gateway.EventGateway;
import dev.loopline.gateway.GatewayConfig;
import dev.loopline.gateway.GatewaySettings;
import dev.loopline.runtime.LooplineRuntime;
import dev.loopline.runtime.config.RuntimeConfig;
import dev.loopline.runtime.domain.InstanceIds;
import dev.loopline.testsupport.infra.FreePorts;
import dev.loopline.testsupport.infra.Infrastructure;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;

/**
 * The local demo: starts Apache Kafka's KRaft broker in this JVM, Apicurio Registry as a child
 * process, the runtime, the gateway and a sample handler, then plays the expense-report scenario
 * over HTTP and prints every transition. Runs until Ctrl-C; {@code --once} exits after the scenario.
 * The gateway authenticates as it would in production: the demo makes a random API key with every
 * role, gives the gateway a keys file with only its hash, and prints the key for the curl lines.
 */
public final class LooplineDemo implements AutoCloseable {

    private final List<AutoCloseable> running = new ArrayList<>();
    private final PrintStream out;
    private final long startNanos = System.nanoTime();
    private final HttpClient http = HttpClient.newHttpClient();
    private final String apiKey = ApiKeyStore.newKey();
    private TransitionPrinter printer;
    private EventGateway gateway;

    LooplineDemo(PrintStream out) {
        this.out = out;
    }

    public static void main(String[] args) throws Exception {
        boolean once = List.of(args).contains("--once");
        LooplineDemo demo = new LooplineDemo(System.out);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            demo.out.println("\nStopping…");
                            demo.close();
                            stopped.countDown();
                        },
                        "demo-shutdown"));
        Result result;
        try {
            demo.start(envPort());
            result = demo.playExpenseScenario();
        } catch (Exception e) {
            demo.out.println("The demo failed: " + e);
            e.printStackTrace(demo.out);
            System.exit(2);
            return;
        }
        demo.out.printf(
                "%nFirst instance %s %s: %d ms after the event was published, %d ms after the demo started.%n",
                result.instanceId(),
                result.completed().getStatusCode() == 30
                        ? "succeeded"
                        : "ended " + result.completed().getStatusCode(),
                result.publishToCompletedMillis(),
                result.startToCompletedMillis());
        if (once) {
            System.exit(result.completed().getStatusCode() == 30 ? 0 : 1);
        }
        demo.out.printf("""
                %nThe gateway is at http://localhost:%d; this run's API key (every role) is
                  %2$s
                Try:
                  export LOOPLINE_KEY=%2$s
                  curl -s -XPOST localhost:%1$d/v1/events -H "Authorization: Bearer $LOOPLINE_KEY" \\
                    -H 'content-type: application/json' \\
                    -d '{"source":"erp","entityType":"expense_report","entityId":"ER-2002","messageName":"Submitted"}'
                  curl -s localhost:%1$d/v1/instances/<instance id> -H "Authorization: Bearer $LOOPLINE_KEY"
                The console: http://localhost:%1$d/console/ (any user name, the key as the password).
                The command line: LOOPLINE_GATEWAY=http://localhost:%1$d LOOPLINE_API_KEY=$LOOPLINE_KEY \
                  cli/target/loopline instances list   (after ./mvnw -q package -DskipTests -pl cli -am)
                Ctrl-C stops everything.
                """, demo.gateway.port(), demo.apiKey);
        stopped.await();
    }

    private static String describe(WorkflowMessage message) {
        return switch (message.getKind()) {
            case WORKFLOW_STARTED -> "workflow started";
            case ENTITY_UPSERT -> message.getMessageName() + " " + message.getPayload();
            default -> message.getMessageName();
        };
    }

    private static int envPort() {
        return GatewaySettings.HTTP_PORT.from(System.getenv());
    }

    /** What the sample application prints for each message it acknowledges. */
    private void log(Message message) {
        out.printf(
                "%8.3f s  handler   %s for %s %s → acknowledged%n",
                elapsedSeconds(), describe(message.record()), message.entityType(), message.entityId());
    }

    /** Starts every part; {@code httpPort} 0 picks a free port. */
    void start(int httpPort) throws Exception {
        out.println("Starting Apache Kafka (KRaft, in this JVM) and Apicurio Registry (child process)…");
        Infrastructure infrastructure = Infrastructure.start();
        running.add(infrastructure);
        out.printf("  broker %s, registry %s%n", infrastructure.bootstrapServers(), infrastructure.schemaRegistryUrl());

        Topics topics = Topics.withDefaultPrefix();
        Path stateDir = Files.createTempDirectory("loopline-demo-state-");
        Map<String, String> settings = new HashMap<>();
        settings.put("LOOPLINE_BOOTSTRAP_SERVERS", infrastructure.bootstrapServers());
        settings.put("LOOPLINE_SCHEMA_REGISTRY_URL", infrastructure.schemaRegistryUrl());
        settings.put("LOOPLINE_STATE_DIR", stateDir.toString());
        settings.put("LOOPLINE_PARTITIONS", "3");
        Path keys = Files.createTempFile("loopline-demo-keys-", ".json");
        keys.toFile().deleteOnExit();
        Files.writeString(keys, "[" + ApiKeyStore.entry(apiKey, "demo", EnumSet.allOf(Role.class)) + "]\n");
        settings.put("LOOPLINE_API_KEYS_FILE", keys.toString());
        // the runtime's /metrics and /health on a free port of this machine only
        settings.put("LOOPLINE_MANAGEMENT_HOST", "127.0.0.1");
        settings.put("LOOPLINE_MANAGEMENT_PORT", "0");
        LooplineRuntime runtime = LooplineRuntime.start(RuntimeConfig.from(settings));
        running.add(runtime);

        int port = httpPort == 0 || !portFree(httpPort) ? FreePorts.next() : httpPort;
        settings.put("LOOPLINE_HTTP_HOST", "127.0.0.1");
        settings.put("LOOPLINE_HTTP_PORT", Integer.toString(port));
        gateway = EventGateway.start(GatewayConfig.from(settings));
        running.add(gateway);

        Map<String, Object> clients = infrastructure.clientConfig();
        Map<String, Object> handlerConfig = new HashMap<>(clients);
        handlerConfig.put(ConsumerConfig.GROUP_ID_CONFIG, "demo-expense-handler");
        running.add(LooplineClient.builder(handlerConfig)
                .topics(topics)
                .handle("RequestApproval", message -> {
                    log(message);
                    return Ack.succeeded(Map.of("approved", true, "approver", "m.manager"));
                })
                .otherwise(message -> {
                    log(message);
                    return Ack.succeeded();
                })
                .start());
        printer = new TransitionPrinter(clients, topics, out, startNanos);
        running.add(printer);
        if (!runtime.awaitRunning(Duration.ofSeconds(60))) {
            throw new IllegalStateException("the runtime did not reach RUNNING in 60 s");
        }
        out.printf("Runtime and gateway up after %.1f s; gateway on port %d.%n%n", elapsedSeconds(), port);
    }

    /** Seeds' expense report: submitted → workflow started → approval requested → acknowledged → completed. */
    Result playExpenseScenario() throws Exception {
        out.println("Administrator: deploy and activate the expense-approval definition");
        post("/v1/definitions", resource("/examples/expense-approval.json"), 201);
        post("/v1/definitions/expense-approval/activate", "", 200);

        String eventId = UUID.randomUUID().toString();
        String reportId = "ER-1001";
        out.printf("ERP: expense report %s submitted (event %s)%n%n", reportId, eventId.substring(0, 8));
        long published = System.nanoTime();
        post("/v1/events", """
                {"eventId":"%s","source":"erp","entityType":"expense_report","entityId":"%s","messageName":"Submitted",
                 "attributes":{"amount":1250.0,"currency":"EUR","employee":"j.doe"}}
                """.formatted(eventId, reportId), 202);
        String instanceId = InstanceIds.instanceId(eventId, "expense-approval");
        InstanceTransition completed = printer.completion(instanceId).get(60, TimeUnit.SECONDS);
        long now = System.nanoTime();
        return new Result(instanceId, completed, (now - published) / 1_000_000, (now - startNanos) / 1_000_000);
    }

    record Result(
            String instanceId,
            InstanceTransition completed,
            long publishToCompletedMillis,
            long startToCompletedMillis) {}

    private void post(String path, String body, int expected) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + path))
                        .header("Content-Type", "application/json")
                        .header("Authorization", "Bearer " + apiKey)
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != expected) {
            throw new IllegalStateException(
                    "POST " + path + " answered " + response.statusCode() + ": " + response.body());
        }
    }

    private static String resource(String name) {
        try (InputStream in = LooplineDemo.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean portFree(int port) {
        try (var socket = new java.net.ServerSocket(port)) {
            return socket.isBound();
        } catch (IOException e) {
            return false;
        }
    }

    private double elapsedSeconds() {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    @Override
    public synchronized void close() {
        List<AutoCloseable> reversed = new ArrayList<>(running);
        Collections.reverse(reversed);
        running.clear();
        for (AutoCloseable part : reversed) {
            try {
                part.close();
            } catch (Exception e) {
                out.println("while stopping " + part.getClass().getSimpleName() + ": " + e);
            }
        }
    }
}
