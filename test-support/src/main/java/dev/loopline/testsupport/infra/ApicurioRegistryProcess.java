package dev.loopline.testsupport.infra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * Apicurio Registry 2.6 (in-memory storage) as a child Java process, from the
 * {@code io.apicurio:apicurio-registry-app:<version>:tar.gz:all} distribution on Maven Central. The
 * build unpacks it (see the {@code unpack-apicurio} execution in the parent pom) and passes its
 * folder as {@code loopline.apicurio.home}.
 *
 * <p>{@code registry.ccompat.use-canonical-hash=true} makes the same schema written with other
 * whitespace keep its id, as Confluent's registry does; ids are content ids (the default), so one
 * schema has one id across subjects, again as in Confluent's registry.
 */
public final class ApicurioRegistryProcess implements SchemaRegistry {

    public static final String HOME_PROPERTY = "loopline.apicurio.home";
    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(120);

    private final Process process;
    private final int port;

    private ApicurioRegistryProcess(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    public static ApicurioRegistryProcess start() {
        Path home = home();
        Path runner = runnerJar(home);
        int port = FreePorts.next();
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = List.of(
                java,
                "-Xmx256m",
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                "-Dquarkus.http.port=" + port,
                "-Dquarkus.http.host=127.0.0.1",
                "-Dregistry.ccompat.use-canonical-hash=true",
                "-jar",
                runner.toString());
        try {
            Path log = Files.createTempFile("loopline-apicurio-", ".log");
            Process process = new ProcessBuilder(command)
                    .directory(home.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            var registry = new ApicurioRegistryProcess(process, port);
            Runtime.getRuntime().addShutdownHook(new Thread(registry::close, "apicurio-stop"));
            registry.awaitReady(log);
            return registry;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start Apicurio Registry from " + runner, e);
        }
    }

    private static Path home() {
        String configured =
                Optional.ofNullable(System.getProperty(HOME_PROPERTY)).orElse(System.getenv("LOOPLINE_APICURIO_HOME"));
        if (configured == null) {
            throw new IllegalStateException("Apicurio Registry's folder is not set: pass -D" + HOME_PROPERTY
                    + "=<folder of the unpacked apicurio-registry-app tar.gz> (the Maven build does this)");
        }
        return Path.of(configured).toAbsolutePath();
    }

    private static Path runnerJar(Path home) {
        try (Stream<Path> files = Files.list(home)) {
            return files.filter(f -> f.getFileName().toString().endsWith("-runner.jar"))
                    .findFirst()
                    .orElseThrow(() -> new IllegalStateException("no *-runner.jar in " + home));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + home, e);
        }
    }

    private void awaitReady(Path log) {
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest ready = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health/ready"))
                .timeout(Duration.ofSeconds(2))
                .build();
        Instant deadline = Instant.now().plus(STARTUP_TIMEOUT);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException(
                        "Apicurio Registry exited with " + process.exitValue() + "; see " + log);
            }
            try {
                if (http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for Apicurio Registry", e);
            }
            awaitExitBriefly();
        }
        close();
        throw new IllegalStateException("Apicurio Registry not ready after " + STARTUP_TIMEOUT + "; see " + log);
    }

    /** Between health polls, wait on the one event there is: the process dying. */
    private void awaitExitBriefly() {
        try {
            process.onExit().get(100, TimeUnit.MILLISECONDS);
        } catch (TimeoutException stillRunning) {
            // poll again
        } catch (ExecutionException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for Apicurio Registry", e);
        }
    }

    @Override
    public String url() {
        return "http://127.0.0.1:" + port + "/apis/ccompat/v7";
    }

    @Override
    public String kind() {
        return "Apicurio Registry process";
    }

    @Override
    public void close() {
        ChildProcesses.stop(process, Duration.ofSeconds(10));
    }
}
