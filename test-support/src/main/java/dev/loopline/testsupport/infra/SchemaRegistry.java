package dev.loopline.testsupport.infra;

/** A running schema registry speaking the Confluent Schema Registry REST API. */
public interface SchemaRegistry extends AutoCloseable {

    /** The base URL of the Confluent-compatible API, e.g. {@code http://localhost:8081/apis/ccompat/v7}. */
    String url();

    String kind();

    @Override
    void close();

    /**
     * Apicurio Registry: its container where Docker runs, otherwise the Maven Central distribution
     * started as a child process (see {@link ApicurioRegistryProcess}).
     */
    static SchemaRegistry start() {
        String wanted = System.getProperty("loopline.test.registry", "auto");
        boolean container = switch (wanted) {
            case "container" -> true;
            case "process" -> false;
            default -> ContainerKafkaBroker.dockerAvailable();
        };
        return container ? ApicurioRegistryContainer.start() : ApicurioRegistryProcess.start();
    }
}
