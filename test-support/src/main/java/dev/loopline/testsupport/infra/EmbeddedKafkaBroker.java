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

    /** System properties with this prefix set a feature level at format time. */
    public static final String FEATURE_PROPERTY_PREFIX = "loopline.broker-feature.";

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
     * Runs the broker as a process of its own (see {@link KafkaBrokerProcess}): prints its ready line
     * with the bootstrap servers, and shuts down when stdin ends.
     */
    public static void main(String[] args) throws IOException {
        try (EmbeddedKafkaBroker broker = start()) {
            System.out.println(KafkaBrokerProcess.READY + broker.bootstrapServers());
            System.out.flush();
            System.in.transferTo(OutputStream.nullOutputStream());
        }
        System.exit(0); // shut down cleanly: do not wait for threads the broker may leave behind
    }

    public static EmbeddedKafkaBroker start() {
        try {
            Path logDir = Files.createTempDirectory("loopline-kraft-");
            int port = FreePorts.next();
            int controllerPort = FreePorts.next();
            KafkaConfig config = KafkaConfig.fromProps(properties(logDir, port, controllerPort), false);
            Formatter formatter = new Formatter();
            // Feature experiments (the bench): -Dloopline.broker-feature.transaction.version=1 formats with it.
            systemPropertiesAfter(FEATURE_PROPERTY_PREFIX)
                    .forEach((feature, level) -> formatter.setFeatureLevel(feature, Short.valueOf(level)));
            formatter
                    .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                    .setNodeId(1)
                    .setClusterId(Uuid.randomUuid().toString())
                    .setDirectories(List.of(logDir.toString()))
                    .setMetadataLogDirectory(logDir.toString())
                    .setControllerListenerName("CONTROLLER")
                    .setSupportedFeatures(Feature.PRODUCTION_FEATURES)
                    .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
                    .setUnstableFeatureVersionsEnabled(false)
                    .setHasDynamicQuorum(false)
                    .run();
            KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
            server.startup(); // returns once the broker is unfenced and running
            return new EmbeddedKafkaBroker(logDir, port, server);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the embedded Kafka broker", e);
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the embedded Kafka broker: " + e, e);
        }
    }

    private static Properties properties(Path logDir, int port, int controllerPort) {
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", "1");
        p.put("controller.quorum.voters", "1@localhost:" + controllerPort);
        p.put("listeners", "PLAINTEXT://localhost:" + port + ",CONTROLLER://localhost:" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://localhost:" + port);
        p.put("controller.listener.names", "CONTROLLER");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("log.dirs", logDir.toString());
        p.put("num.partitions", "1");
        // One node: every internal topic has one replica.
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "4");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("transaction.state.log.num.partitions", "4");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("auto.create.topics.enable", "false");
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
        Directories.deleteRecursively(logDir);
    }
}
