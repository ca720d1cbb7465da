package dev.loopline.testsupport.infra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.common.Uuid;

/**
 * A KRaft cluster of several nodes, each broker and controller combined, each a child JVM of its
 * own (Apache Kafka's server, as in {@link EmbeddedKafkaBroker}), so that a test can kill -9 a
 * node and start it again on its data. Internal topics get one replica per node, at most three,
 * with one less as their minimum in-sync replicas.
 */
public final class KafkaCluster implements KafkaBroker {

    /**
     * The README's broker settings for a cluster ("Failover", measured with the chaos suite): a
     * dead node is fenced, and its partitions get new leaders, after 3 s without a heartbeat
     * instead of Kafka's 9 s. Every node also has {@link EmbeddedKafkaBroker}'s own settings.
     */
    static final Map<String, String> RECOMMENDED =
            Map.of("broker.session.timeout.ms", "3000", "broker.heartbeat.interval.ms", "500");

    /** System properties that set log levels in the tests' logback configuration, passed on to child JVMs. */
    private static final String LOG_LEVEL_PREFIX = "loopline.log.";

    private final Map<Integer, EmbeddedKafkaBroker.Node> nodes = new LinkedHashMap<>();
    private final Map<Integer, Process> processes = new LinkedHashMap<>();
    private final Path dir;

    private KafkaCluster(Path dir) {
        this.dir = dir;
    }

    /** Starts every node at once (a node is ready only once a quorum of controllers runs). */
    public static KafkaCluster start(int size) {
        try {
            KafkaCluster cluster = new KafkaCluster(Files.createTempDirectory("loopline-cluster-"));
            String clusterId = Uuid.randomUuid().toString();
            Map<Integer, Integer> controllerPorts = new LinkedHashMap<>();
            IntStream.rangeClosed(1, size).forEach(id -> controllerPorts.put(id, FreePorts.next()));
            String voters = controllerPorts.entrySet().stream()
                    .map(e -> e.getKey() + "@localhost:" + e.getValue())
                    .collect(Collectors.joining(","));
            for (int id = 1; id <= size; id++) {
                cluster.nodes.put(
                        id,
                        new EmbeddedKafkaBroker.Node(
                                id,
                                clusterId,
                                Files.createDirectories(cluster.dir.resolve("node-" + id)),
                                FreePorts.next(),
                                controllerPorts.get(id),
                                voters,
                                Math.min(3, size)));
            }
            List<Integer> ids = new ArrayList<>(cluster.nodes.keySet());
            for (int id : ids) {
                cluster.launch(id);
            }
            for (int id : ids) {
                cluster.awaitReady(id);
            }
            return cluster;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the Kafka cluster", e);
        }
    }

    private void launch(int id) throws IOException {
        List<String> command =
                new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"), "-Xmx384m"));
        // the README's recommended broker settings (see "Failover"), then any tuning experiment's
        // -Dloopline.broker.<property>=<value>, which reaches every node
        Map<String, String> broker = new LinkedHashMap<>(RECOMMENDED);
        broker.putAll(EmbeddedKafkaBroker.systemPropertiesAfter(EmbeddedKafkaBroker.BROKER_PROPERTY_PREFIX));
        broker.forEach(
                (name, value) -> command.add("-D" + EmbeddedKafkaBroker.BROKER_PROPERTY_PREFIX + name + "=" + value));
        command.addAll(logLevelArguments());
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), EmbeddedKafkaBroker.class.getName()));
        command.addAll(nodes.get(id).arguments());
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log(id).toFile()))
                .start();
        processes.put(id, process);
    }

    private void awaitReady(int id) {
        try {
            KafkaBrokerProcess.awaitReady(processes.get(id), log(id));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * This JVM's log levels for the tests' logback configuration ({@code -Dloopline.log.*}), as
     * arguments for a child JVM, so that brokers and runtimes log as the test does.
     */
    public static List<String> logLevelArguments() {
        List<String> arguments = new ArrayList<>();
        EmbeddedKafkaBroker.systemPropertiesAfter(LOG_LEVEL_PREFIX)
                .forEach((name, level) -> arguments.add("-D" + LOG_LEVEL_PREFIX + name + "=" + level));
        return arguments;
    }

    /** The node's output, appended to across restarts. */
    public Path log(int id) {
        return dir.resolve("node-" + id + ".log");
    }

    /** Copies each node's log into {@code target}, as {@code node-<id>.log}; the cluster's own directory goes on close. */
    public void copyLogsTo(Path target) {
        try {
            for (int id : nodes.keySet()) {
                if (Files.exists(log(id))) {
                    Files.copy(log(id), target.resolve(log(id).getFileName()), StandardCopyOption.REPLACE_EXISTING);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy the cluster's logs", e);
        }
    }

    public List<Integer> nodeIds() {
        return List.copyOf(nodes.keySet());
    }

    /** SIGKILL: the node stops at once, no controlled shutdown, no flush. */
    public void kill(int id) throws InterruptedException {
        Process process = processes.get(id);
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** Starts a killed node again on its log directory, without waiting for it to be ready. */
    public void restart(int id) {
        try {
            Files.writeString(log(id), "\n--- restarted ---\n", java.nio.file.StandardOpenOption.APPEND);
            launch(id);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public boolean isAlive(int id) {
        return processes.get(id).isAlive();
    }

    @Override
    public String bootstrapServers() {
        return nodes.values().stream().map(node -> "localhost:" + node.port()).collect(Collectors.joining(","));
    }

    @Override
    public String kind() {
        return nodes.size() + "-node KRaft cluster (child processes)";
    }

    @Override
    public void close() {
        for (Process process : processes.values()) {
            process.destroy(); // stdin is not ours to close: SIGTERM runs Kafka's shutdown hook
        }
        for (Process process : processes.values()) {
            ChildProcesses.awaitOrKill(process, Duration.ofSeconds(30));
        }
        Directories.deleteRecursively(dir);
    }
}
