package dev.loopline.systemtests.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loopline.testsupport.infra.ChildProcesses;
import dev.loopline.testsupport.infra.TestCertificates;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * The example webhook receiver ({@code examples/webhook-receiver-node}, Node.js with the Standard
 * Webhooks library) as a child process on an HTTPS port of its own: what it logged of each request
 * is kept, so a test sees which were verified and what was answered.
 */
public final class NodeWebhookReceiver implements AutoCloseable {

    private static final Path RECEIVER = Path.of("..", "examples", "webhook-receiver-node");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process process;
    private final int port;
    private final List<JsonNode> requests = new CopyOnWriteArrayList<>();

    private NodeWebhookReceiver(String secret, TestCertificates certificates, String name) {
        ProcessBuilder builder = new ProcessBuilder("node", "receiver.mjs")
                .directory(RECEIVER.toFile())
                .redirectError(ProcessBuilder.Redirect.INHERIT);
        builder.environment().put("WEBHOOK_SECRET", secret);
        builder.environment()
                .put("TLS_PFX", certificates.keystore(name).toAbsolutePath().toString());
        builder.environment().put("TLS_PASSPHRASE", certificates.password());
        CompletableFuture<Integer> listening = new CompletableFuture<>();
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start node", e);
        }
        Thread reader = new Thread(
                () -> {
                    try (BufferedReader lines = new BufferedReader(
                            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                        for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                            JsonNode logged = JSON.readTree(line);
                            if (logged.has("listening")) {
                                listening.complete(logged.get("listening").asInt());
                            } else {
                                requests.add(logged);
                            }
                        }
                    } catch (IOException e) {
                        listening.completeExceptionally(e);
                    }
                    listening.completeExceptionally(new IllegalStateException("the receiver exited"));
                },
                "node-webhook-receiver");
        reader.setDaemon(true);
        reader.start();
        try {
            port = listening.get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            process.destroyForcibly();
            throw new IllegalStateException("the Node receiver did not start listening", e);
        }
    }

    /** Starts the receiver with this secret, serving the certificate named {@code name}. */
    public static NodeWebhookReceiver start(String secret, TestCertificates certificates, String name) {
        return new NodeWebhookReceiver(secret, certificates, name);
    }

    public int port() {
        return port;
    }

    /** What the receiver logged of each request so far: messageId, verified, status. */
    public List<JsonNode> requests() {
        return List.copyOf(requests);
    }

    @Override
    public void close() {
        ChildProcesses.stop(process, Duration.ofSeconds(10));
    }
}
