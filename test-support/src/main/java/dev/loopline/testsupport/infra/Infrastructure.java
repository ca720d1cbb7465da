package dev.loopline.testsupport.infra;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Kafka broker and a real schema registry, started together (in parallel) and stopped
 * together. Integration tests get one per test run through {@code LooplineInfrastructureExtension};
 * the demo starts its own.
 */
public final class Infrastructure implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Infrastructure.class);

    private final KafkaBroker broker;
    private final SchemaRegistry registry;

    private Infrastructure(KafkaBroker broker, SchemaRegistry registry) {
        this.broker = broker;
        this.registry = registry;
    }

    public static Infrastructure start() {
        long started = System.nanoTime();
        CompletableFuture<SchemaRegistry> registry = CompletableFuture.supplyAsync(SchemaRegistry::start);
        KafkaBroker broker;
        try {
            broker = KafkaBroker.start();
        } catch (RuntimeException e) {
            registry.thenAccept(SchemaRegistry::close);
            throw e;
        }
        Infrastructure infrastructure = new Infrastructure(broker, registry.join());
        log.info(
                "{} at {} and {} at {} ready in {} ms",
                broker.kind(),
                broker.bootstrapServers(),
                infrastructure.registry.kind(),
                infrastructure.registry.url(),
                (System.nanoTime() - started) / 1_000_000);
        return infrastructure;
    }

    /** A registry started as {@link #start()} does, beside this broker (a cluster, say), which it closes last. */
    public static Infrastructure startWith(KafkaBroker broker) {
        try {
            return new Infrastructure(broker, SchemaRegistry.start());
        } catch (RuntimeException e) {
            broker.close();
            throw e;
        }
    }

    public String bootstrapServers() {
        return broker.bootstrapServers();
    }

    public String schemaRegistryUrl() {
        return registry.url();
    }

    /** bootstrap.servers and schema.registry.url: the base of every client's configuration. */
    public Map<String, Object> clientConfig() {
        Map<String, Object> config = new HashMap<>();
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        config.put("schema.registry.url", schemaRegistryUrl());
        return config;
    }

    public Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()));
    }

    @Override
    public void close() {
        try {
            registry.close();
        } finally {
            broker.close();
        }
    }
}
