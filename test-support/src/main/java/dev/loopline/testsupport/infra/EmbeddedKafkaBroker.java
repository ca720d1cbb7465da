package dev.loopline.testsupport.infra;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.Feature;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * Apache Kafka's own KRaft broker (one node, broker and controller combined) running in this JVM,
 * from the Maven Central artifacts: the same server as the {@code apache/kafka} image, not a fake.
 * Storage is formatted like {@code kafka-storage format} and removed on close.
 */
public final class EmbeddedKafkaBroker implements KafkaBroker {

    /** System properties with this prefix become broker properties, e.g. -Dloopline.broker.num.io.threads=4. */
    public static final String BROKER_PROPERTY_PREFIX = "loopline.broker.";
    /**
     * How often the broker aborts timed-out transactions: 1 s, as the README recommends ("Failover"),
     * instead of Kafka's 10 s; a dead producer's open transaction holds back read_committed readers
     * until then.
     */
    static final String ABORT_INTERVAL = "transaction.abort.timed.out.transaction.cleanup.interval.ms";

    static final String RECOMMENDED_ABORT_INTERVAL_MS = "1000";

    /** System properties with this prefix set a feature level at format time. */
    public static final String FEATURE_PROPERTY_PREFIX = "loopline.broker-feature.";

    /** Deleted on close; null for a cluster node, whose cluster deletes it. */
    private final Path logDir;

    private final int port;
    private final KafkaRaftServer server;
    private boolean closed;

    private EmbeddedKafkaBroker(Path logDir, int port, KafkaRaftServer server) {
        this.logDir = logDir;
        this.port = port;
        this.server = server;
    }

    /**
     * One node of a KRaft cluster (broker and controller combined): its id, the cluster's id, its
     * log directory, its two ports, the cluster's voters ({@code 1@localhost:port,…}) and the
     * replication factor of the internal topics (the minimum in-sync replicas is one less).
     */
    public record Node(
            int id, String clusterId, Path logDir, int port, int controllerPort, String voters, int replicas) {

        static Node single(Path logDir) {
            int port = FreePorts.next();
            int controllerPort = FreePorts.next();
            return new Node(
                    1, Uuid.randomUuid().toString(), logDir, port, controllerPort, "1@localhost:" + controllerPort, 1);
        }

        /** As arguments of {@link #main}. */
        List<String> arguments() {
            return List.of(
                    Integer.toString(id),
                    clusterId,
                    logDir.toString(),
                    Integer.toString(port),
                    Integer.toString(controllerPort),
                    voters,
                    Integer.toString(replicas));
        }

        static Node of(String[] args) {
            return new Node(
                    Integer.parseInt(args[0]),
                    args[1],
                    Path.of(args[2]),
                    Integer.parseInt(args[3]),
                    Integer.parseInt(args[4]),
                    args[5],
                    Integer.parseInt(args[6]));
        }
    }

    /**
     * Runs the broker as a process of its own (see {@link KafkaBrokerProcess}, and {@link
     * KafkaCluster} with a node's {@link Node#arguments()}): prints its ready line with the
     * bootstrap servers, and shuts down when stdin ends. A cluster node formats its log directory
     * only the first time, so that a node killed and started again keeps its data.
     */
    public static void main(String[] args) throws IOException {
        try (EmbeddedKafkaBroker broker = args.length == 0 ? start() : start(Node.of(args), false)) {
            System.out.println(KafkaBrokerProcess.READY + broker.bootstrapServers());
            System.out.flush();
            System.in.transferTo(OutputStream.nullOutputStream());
        }
        System.exit(0); // shut down cleanly: do not wait for threads the broker may leave behind
    }

    public static EmbeddedKafkaBroker start() {
        try {
            return start(Node.single(Files.createTempDirectory("loopline-kraft-")), true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the embedded Kafka broker", e);
        }
    }

    private static EmbeddedKafkaBroker start(Node node, boolean deleteOnClose) {
        try {
            KafkaConfig config = KafkaConfig.fromProps(properties(node), false);
            if (!Files.exists(node.logDir().resolve("meta.properties"))) {
                // Feature experiments (the bench): -Dloopline.broker-feature.transaction.version=1 formats with it.
                format(node.id(), node.clusterId(), node.logDir(), systemPropertiesAfter(FEATURE_PROPERTY_PREFIX));
            }
            KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
            server.startup(); // returns once the broker is unfenced and running
            return new EmbeddedKafkaBroker(deleteOnClose ? node.logDir() : null, node.port(), server);
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the embedded Kafka broker: " + e, e);
        }
    }

    /**
     * Formats a KRaft node's log directory at the latest production metadata version, with the
     * given feature levels (name → level) on top, as {@code kafka-storage format} does.
     */
    static void format(int nodeId, String clusterId, Path logDir, Map<String, String> featureLevels) throws Exception {
        Formatter formatter = new Formatter();
        featureLevels.forEach((feature, level) -> formatter.setFeatureLevel(feature, Short.valueOf(level)));
        formatter
                .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                .setNodeId(nodeId)
                .setClusterId(clusterId)
                .setDirectories(List.of(logDir.toString()))
                .setMetadataLogDirectory(logDir.toString())
                .setControllerListenerName("CONTROLLER")
                .setSupportedFeatures(Feature.PRODUCTION_FEATURES)
                .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
                .setUnstableFeatureVersionsEnabled(false)
                .setHasDynamicQuorum(false)
                .run();
    }

    private static Properties properties(Node node) {
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", Integer.toString(node.id()));
        p.put("controller.quorum.voters", node.voters());
        p.put("listeners", "PLAINTEXT://localhost:" + node.port() + ",CONTROLLER://localhost:" + node.controllerPort());
        p.put("advertised.listeners", "PLAINTEXT://localhost:" + node.port());
        p.put("controller.listener.names", "CONTROLLER");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("log.dirs", node.logDir().toString());
        p.put("num.partitions", "1");
        // Internal topics as replicated as the cluster allows: one replica on one node.
        String replicas = Integer.toString(node.replicas());
        String minIsr = Integer.toString(Math.max(1, node.replicas() - 1));
        p.put("offsets.topic.replication.factor", replicas);
        p.put("offsets.topic.num.partitions", "4");
        p.put("transaction.state.log.replication.factor", replicas);
        p.put("transaction.state.log.min.isr", minIsr);
        p.put("transaction.state.log.num.partitions", "4");
        p.put("share.coordinator.state.topic.replication.factor", replicas);
        p.put("share.coordinator.state.topic.min.isr", minIsr);
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("auto.create.topics.enable", "false");
        p.put(ABORT_INTERVAL, RECOMMENDED_ABORT_INTERVAL_MS);
        // Broker tuning experiments (the bench): -Dloopline.broker.<property>=<value> sets any broker property.
        p.putAll(systemPropertiesAfter(BROKER_PROPERTY_PREFIX));
        return p;
    }

    /** The system properties whose names start with {@code prefix}, by the rest of their names. */
    static Map<String, String> systemPropertiesAfter(String prefix) {
        Map<String, String> found = new HashMap<>();
        for (String name : System.getProperties().stringPropertyNames()) {
            if (name.startsWith(prefix)) {
                found.put(name.substring(prefix.length()), System.getProperty(name));
            }
        }
        return found;
    }

    @Override
    public String bootstrapServers() {
        return "localhost:" + port;
    }

    @Override
    public String kind() {
        return "embedded KRaft broker";
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        server.shutdown();
        server.awaitShutdown();
        if (logDir != null) {
            Directories.deleteRecursively(logDir);
        }
    }
}
