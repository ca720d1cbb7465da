package dev.loopline.testsupport.infra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.SslConfigs;
import org.apache.kafka.common.utils.Time;

/**
 * Apache Kafka's own KRaft broker (one node, broker and controller combined) in this JVM, like
 * {@link EmbeddedKafkaBroker}, but secured: the authorizer denies what no ACL allows.
 *
 * <table>
 *   <tr><th>listener</th><th>protocol</th><th>principal</th></tr>
 *   <tr><td>SASL_SSL</td><td>TLS, SCRAM-SHA-512</td><td>{@code User:<SCRAM user name>}</td></tr>
 *   <tr><td>MTLS</td><td>TLS, client certificate required</td><td>{@code User:<certificate CN>}</td></tr>
 *   <tr><td>BROKER, CONTROLLER</td><td>TLS, client certificate required</td><td>{@code User:broker}, the super user</td></tr>
 * </table>
 *
 * <p>The certificates are made at start ({@link TestCertificates}): the broker's ({@code
 * CN=broker}) and one per client name passed to {@link #start}. {@code ssl.principal.mapping.rules}
 * makes a certificate's CN its principal's name, so a client has the same principal, and the same
 * ACLs, whether it authenticates with SCRAM or with its certificate. SCRAM users do not exist at
 * start: create them as the super user ({@link #superUserConfig()}) with {@code
 * Admin.alterUserScramCredentials}.
 */
public final class SecureKafkaBroker implements KafkaBroker {

    /** The broker's own principal: the super user. */
    public static final String BROKER_NAME = "broker";

    public static final String SUPER_USER = "User:" + BROKER_NAME;
    public static final String SCRAM_MECHANISM = "SCRAM-SHA-512";

    private final Path dir;
    private final TestCertificates certificates;
    private final int saslSslPort;
    private final int mtlsPort;
    private final KafkaRaftServer server;
    private boolean closed;

    private SecureKafkaBroker(
            Path dir, TestCertificates certificates, int saslSslPort, int mtlsPort, KafkaRaftServer server) {
        this.dir = dir;
        this.certificates = certificates;
        this.saslSslPort = saslSslPort;
        this.mtlsPort = mtlsPort;
        this.server = server;
    }

    /**
     * @param certificateClients names of clients that get a certificate for the MTLS listener
     */
    public static SecureKafkaBroker start(Set<String> certificateClients) {
        Path dir = null;
        try {
            dir = Files.createTempDirectory("loopline-secure-kraft-");
            Set<String> names = new LinkedHashSet<>();
            names.add(BROKER_NAME);
            names.addAll(certificateClients);
            Path certificateDir = Files.createDirectory(dir.resolve("certificates"));
            TestCertificates certificates = TestCertificates.create(certificateDir, names);
            Path logDir = Files.createDirectory(dir.resolve("log"));
            int saslSslPort = FreePorts.next();
            int mtlsPort = FreePorts.next();
            int brokerPort = FreePorts.next();
            int controllerPort = FreePorts.next();
            Properties properties = properties(logDir, certificates, saslSslPort, mtlsPort, brokerPort, controllerPort);
            KafkaConfig config = KafkaConfig.fromProps(properties, false);
            EmbeddedKafkaBroker.format(1, Uuid.randomUuid().toString(), logDir, Map.of());
            KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
            server.startup();
            return new SecureKafkaBroker(dir, certificates, saslSslPort, mtlsPort, server);
        } catch (IOException e) {
            deleteQuietly(dir);
            throw new UncheckedIOException("cannot start the secured Kafka broker", e);
        } catch (Exception e) {
            deleteQuietly(dir);
            throw new IllegalStateException("cannot start the secured Kafka broker: " + e, e);
        }
    }

    private static void deleteQuietly(Path dir) {
        if (dir != null) {
            Directories.deleteRecursively(dir);
        }
    }

    private static Properties properties(
            Path logDir,
            TestCertificates certificates,
            int saslSslPort,
            int mtlsPort,
            int brokerPort,
            int controllerPort) {
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", "1");
        p.put("controller.quorum.voters", "1@localhost:" + controllerPort);
        String advertised = "SASL_SSL://localhost:" + saslSslPort + ",MTLS://localhost:" + mtlsPort
                + ",BROKER://localhost:" + brokerPort;
        p.put("listeners", advertised + ",CONTROLLER://localhost:" + controllerPort);
        p.put("advertised.listeners", advertised);
        p.put("controller.listener.names", "CONTROLLER");
        p.put("inter.broker.listener.name", "BROKER");
        p.put("listener.security.protocol.map", "SASL_SSL:SASL_SSL,MTLS:SSL,BROKER:SSL,CONTROLLER:SSL");
        // TLS: the broker's key, and the truststore of every test certificate
        p.put(SslConfigs.SSL_KEYSTORE_TYPE_CONFIG, certificates.storeType());
        p.put(
                SslConfigs.SSL_KEYSTORE_LOCATION_CONFIG,
                certificates.keystore(BROKER_NAME).toString());
        p.put(SslConfigs.SSL_KEYSTORE_PASSWORD_CONFIG, certificates.password());
        p.put(SslConfigs.SSL_KEY_PASSWORD_CONFIG, certificates.password());
        p.put(SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG, certificates.storeType());
        p.put(
                SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG,
                certificates.truststore().toString());
        p.put(SslConfigs.SSL_TRUSTSTORE_PASSWORD_CONFIG, certificates.password());
        for (String mutual : List.of("mtls", "broker", "controller")) {
            p.put("listener.name." + mutual + "." + "ssl.client.auth", "required");
        }
        // CN=handler is User:handler (the default would be User:CN=handler)
        p.put("ssl.principal.mapping.rules", "RULE:^CN=([a-zA-Z0-9._-]+)(,.*)?$/$1/,DEFAULT");
        // SCRAM on the SASL_SSL listener
        p.put("sasl.enabled.mechanisms", SCRAM_MECHANISM);
        p.put(
                "listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config",
                "org.apache.kafka.common.security.scram.ScramLoginModule required;");
        // Authorization: nothing without an ACL, except for the broker itself
        p.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
        p.put("allow.everyone.if.no.acl.found", "false");
        p.put("super.users", SUPER_USER);
        p.put("log.dirs", logDir.toString());
        p.put("num.partitions", "1");
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "4");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("transaction.state.log.num.partitions", "4");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("auto.create.topics.enable", "false");
        return p;
    }

    /** The SASL_SSL listener: what SCRAM clients connect to. */
    @Override
    public String bootstrapServers() {
        return "localhost:" + saslSslPort;
    }

    /** The MTLS listener: clients authenticated by their certificate. */
    public String mtlsBootstrapServers() {
        return "localhost:" + mtlsPort;
    }

    /** The client properties of a SCRAM user on the SASL_SSL listener. */
    public Map<String, String> scramClientConfig(String user, String password) {
        Map<String, String> config = new HashMap<>(truststore());
        config.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        config.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SASL_SSL");
        config.put(SaslConfigs.SASL_MECHANISM, SCRAM_MECHANISM);
        config.put(
                SaslConfigs.SASL_JAAS_CONFIG,
                "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + user + "\" password=\""
                        + password + "\";");
        return config;
    }

    /** The client properties of the holder of {@code name}'s certificate on the MTLS listener. */
    public Map<String, String> certificateClientConfig(String name) {
        Map<String, String> config = new HashMap<>(truststore());
        config.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, mtlsBootstrapServers());
        config.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SSL");
        config.put(SslConfigs.SSL_KEYSTORE_TYPE_CONFIG, certificates.storeType());
        config.put(
                SslConfigs.SSL_KEYSTORE_LOCATION_CONFIG,
                certificates.keystore(name).toString());
        config.put(SslConfigs.SSL_KEYSTORE_PASSWORD_CONFIG, certificates.password());
        config.put(SslConfigs.SSL_KEY_PASSWORD_CONFIG, certificates.password());
        return config;
    }

    /** The super user's client properties: the broker's own certificate on the MTLS listener. */
    public Map<String, String> superUserConfig() {
        return certificateClientConfig(BROKER_NAME);
    }

    private Map<String, String> truststore() {
        return Map.of(
                SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG, certificates.storeType(),
                SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG,
                        certificates.truststore().toString(),
                SslConfigs.SSL_TRUSTSTORE_PASSWORD_CONFIG, certificates.password());
    }

    @Override
    public String kind() {
        return "secured embedded KRaft broker";
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        server.shutdown();
        server.awaitShutdown();
        Directories.deleteRecursively(dir);
    }
}
