package dev.loopline.testsupport.infra;

/** A running Kafka broker that tests and the demo connect to. */
public interface KafkaBroker extends AutoCloseable {

    String bootstrapServers();

    /** "container" or "embedded", for logs and reports. */
    String kind();

    @Override
    void close();

    /**
     * Testcontainers' {@code apache/kafka} container when a Docker engine is reachable, otherwise
     * Apache Kafka's own KRaft broker in this JVM. Set {@code loopline.test.broker=embedded} (or
     * {@code container}) to force one.
     */
    static KafkaBroker start() {
        String wanted = System.getProperty("loopline.test.broker", "auto");
        boolean container = switch (wanted) {
            case "container" -> true;
            case "embedded" -> false;
            default -> ContainerKafkaBroker.dockerAvailable();
        };
        return container ? ContainerKafkaBroker.start() : EmbeddedKafkaBroker.start();
    }
}
