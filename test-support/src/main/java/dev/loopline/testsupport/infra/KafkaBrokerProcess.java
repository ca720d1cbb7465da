package dev.loopline.testsupport.infra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;

/**
 * Apache Kafka's KRaft broker in a child JVM of its own ({@link EmbeddedKafkaBroker#main}, this
 * JVM's class path), so that its heap and garbage collector are not the caller's: the bench uses it
 * to measure the runtime without the broker's GC pauses in its own process, as a deployment runs.
 * The child stops when it is closed, or when this JVM ends (a shutdown hook, and its stdin closing).
 */
public final class KafkaBrokerProcess implements KafkaBroker {

    /** The line the child prints once the broker runs, followed by its bootstrap servers. */
    static final String READY = "loopline-broker-ready ";

    private static final Duration STARTUP_TIMEOUT = Duration.ofMinutes(2);

    private final Process process;
    private final String bootstrapServers;
    private final Thread shutdownHook;
    /** The child's output; deleted after a clean shutdown, kept otherwise. */
    private final Path log;

    private KafkaBrokerProcess(Process process, String bootstrapServers, Path log) {
        this.log = log;
        this.process = process;
        this.bootstrapServers = bootstrapServers;
        this.shutdownHook = new Thread(this::stop, "kafka-broker-process-stop");
    }

    /**
     * Starts the child with these JVM options (heap, GC) and every {@code -Dloopline.broker.*} and
     * {@code -Dloopline.broker-feature.*} property of this JVM; returns once the broker runs. The
     * child's output goes to a log file, named in any startup error.
     */
    public static KafkaBrokerProcess start(List<String> jvmOptions) {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(jvmOptions);
        for (String prefix :
                List.of(EmbeddedKafkaBroker.BROKER_PROPERTY_PREFIX, EmbeddedKafkaBroker.FEATURE_PROPERTY_PREFIX)) {
            EmbeddedKafkaBroker.systemPropertiesAfter(prefix)
                    .forEach((name, value) -> command.add("-D" + prefix + name + "=" + value));
        }
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(EmbeddedKafkaBroker.class.getName());
        Process process = null;
        Path log = null;
        try {
            log = Files.createTempFile("loopline-broker-", ".log");
            process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            String bootstrap = awaitReady(process, log);
            var broker = new KafkaBrokerProcess(process, bootstrap, log);
            Runtime.getRuntime().addShutdownHook(broker.shutdownHook);
            return broker;
        } catch (IOException e) {
            destroy(process);
            throw new UncheckedIOException("cannot start the broker process; see " + log, e);
        } catch (InterruptedException e) {
            destroy(process);
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting the broker process", e);
        } catch (RuntimeException e) {
            destroy(process);
            throw e;
        }
    }

    /** Waits for the ready line in the child's log: its bootstrap servers. */
    static String awaitReady(Process process, Path log) throws IOException, InterruptedException {
        Instant deadline = Instant.now().plus(STARTUP_TIMEOUT);
        while (Instant.now().isBefore(deadline)) {
            try (var lines = Files.lines(log, StandardCharsets.UTF_8)) {
                var ready = lines.filter(line -> line.startsWith(READY)).findFirst();
                if (ready.isPresent()) {
                    return ready.get().substring(READY.length()).trim();
                }
            } catch (UncheckedIOException partialLine) {
                // a line being written is not valid UTF-8 yet: read again
            }
            if (process.waitFor(100, TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException(
                        "the broker process exited with " + process.exitValue() + " before it was ready; see " + log);
            }
        }
        throw new IllegalStateException("the broker process was not ready after " + STARTUP_TIMEOUT + "; see " + log);
    }

    private static void destroy(Process process) {
        if (process != null) {
            process.destroyForcibly();
        }
    }

    @Override
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** The child process, e.g. to count its CPU. */
    public ProcessHandle processHandle() {
        return process.toHandle();
    }

    @Override
    public String kind() {
        return "KRaft broker process";
    }

    /** The child's exit code once it has ended: 0 after a clean shutdown on {@link #close()}. */
    public OptionalInt exitValue() {
        return process.isAlive() ? OptionalInt.empty() : OptionalInt.of(process.exitValue());
    }

    @Override
    public void close() {
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running or about to: it stops the child
        }
        stop();
    }

    private void stop() {
        if (!process.isAlive()) {
            return;
        }
        try {
            process.getOutputStream().close(); // the child shuts the broker down when its stdin ends
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            } else if (process.exitValue() == 0) {
                Files.deleteIfExists(log);
            }
        } catch (IOException e) {
            process.destroyForcibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
