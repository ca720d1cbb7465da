package dev.loopline.testsupport.infra;

import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;

/** Apicurio Registry's in-memory image, where Docker runs. */
public final class ApicurioRegistryContainer implements SchemaRegistry {

    public static final String IMAGE = "apicurio/apicurio-registry-mem:2.6.13.Final";

    private final GenericContainer<?> container;

    private ApicurioRegistryContainer(GenericContainer<?> container) {
        this.container = container;
    }

    public static ApicurioRegistryContainer start() {
        GenericContainer<?> container = new GenericContainer<>(IMAGE)
                .withExposedPorts(8080)
                .withEnv("ENABLE_CCOMPAT_CANONICAL_HASH_MODE", "true")
                .waitingFor(Wait.forHttp("/health/ready").forStatusCode(200));
        container.start();
        return new ApicurioRegistryContainer(container);
    }

    @Override
    public String url() {
        return "http://" + container.getHost() + ":" + container.getMappedPort(8080) + "/apis/ccompat/v7";
    }

    @Override
    public String kind() {
        return "Testcontainers " + IMAGE;
    }

    @Override
    public void close() {
        container.stop();
    }
}
