package dev.loopline.testsupport.infra;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Apache Kafka's KRaft broker in a child JVM of its own ({@link EmbeddedKafkaBroker#main}, this
 * JVM's class path), so that its heap and garbage collector are not the caller's: the bench uses it
 * to measure the runtime without the broker's GC pauses in its own process, as a deployment runs.
 * The child stops when it is closed or when this JVM's end closes its stdin.
 */
public final class KafkaBrokerProcess implements KafkaBroker {

    /** The line the child prints once the broker runs, followed by its bootstrap servers. */
    static final String READY = "loopline-broker-ready ";

    private final Process process;
    private final String bootstrapServers;

    private KafkaBrokerProcess(Process process, String bootstrapServers) {
        this.process = process;
        this.bootstrapServers = bootstrapServers;
    }

    /**
     * Starts the child with these JVM options (heap, GC) and every {@code -Dloopline.broker.*} and
     * {@code -Dloopline.broker-feature.*} property of this JVM; returns once the broker runs.
     */
    public static KafkaBrokerProcess start(List<String> jvmOptions) {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(jvmOptions);
        System.getProperties().stringPropertyNames().stream()
                .filter(name -> name.startsWith(EmbeddedKafkaBroker.BROKER_PROPERTY_PREFIX)
                        || name.startsWith(EmbeddedKafkaBroker.FEATURE_PROPERTY_PREFIX))
                .forEach(name -> command.add("-D" + name + "=" + System.getProperty(name)));
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(EmbeddedKafkaBroker.class.getName());
        try {
            Process process = new ProcessBuilder(command)
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            var reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            String line;
            while ((line = reader.readLine()) != null) {
                if (line.startsWith(READY)) {
                    var broker = new KafkaBrokerProcess(
                            process, line.substring(READY.length()).trim());
                    Runtime.getRuntime().addShutdownHook(new Thread(broker::close, "kafka-broker-process-stop"));
                    // keep draining its stdout so that the child never blocks on a full pipe
                    Thread drain = new Thread(() -> reader.lines().forEach(ignored -> {}), "kafka-broker-process-out");
                    drain.setDaemon(true);
                    drain.start();
                    return broker;
                }
            }
            throw new IllegalStateException("the broker process exited before it was ready: " + process.waitFor());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the broker process", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting the broker process", e);
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

    @Override
    public void close() {
        if (!process.isAlive()) {
            return;
        }
        try {
            process.getOutputStream().close(); // the child shuts the broker down when its stdin ends
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (IOException e) {
            process.destroyForcibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
