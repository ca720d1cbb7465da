package dev.loopline.gateway;

import dev.loopline.api.TopicProvisioner;
import dev.loopline.gateway.http.GatewayServer;
import dev.loopline.gateway.kafka.AckPublisher;
import dev.loopline.gateway.kafka.BrokerProbe;
import dev.loopline.gateway.kafka.DeadLetters;
import dev.loopline.gateway.kafka.DefinitionRepository;
import dev.loopline.gateway.kafka.EventPublisher;
import dev.loopline.gateway.kafka.OperatorChannel;
import dev.loopline.gateway.query.streams.QueryApplication;
import dev.loopline.gateway.security.GatewaySecurity;
import dev.loopline.gateway.webhook.WebhookDelivery;
import dev.loopline.observability.Meters;
import dev.loopline.observability.Tracing;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;

/** One gateway process: Kafka clients, read models and the HTTP server, started and stopped together. */
public final class EventGateway implements AutoCloseable {

    /** The service name of the gateway's meters and spans. */
    public static final String SERVICE = "loopline-gateway";

    private final EventPublisher publisher;
    private final AckPublisher acks;
    /** Null unless webhooks are bound. */
    private final WebhookDelivery webhooks;

    private final DefinitionRepository definitions;
    private final QueryApplication queries;
    private final OperatorChannel operators;
    private final DeadLetters deadLetters;
    private final GatewayServer server;
    private final Meters meters;
    private final Tracing tracing;

    private EventGateway(
            EventPublisher publisher,
            AckPublisher acks,
            DefinitionRepository definitions,
            QueryApplication queries,
            OperatorChannel operators,
            DeadLetters deadLetters,
            GatewayServer server,
            WebhookDelivery webhooks,
            Meters meters,
            Tracing tracing) {
        this.meters = meters;
        this.tracing = tracing;
        this.webhooks = webhooks;
        this.publisher = publisher;
        this.acks = acks;
        this.definitions = definitions;
        this.queries = queries;
        this.operators = operators;
        this.deadLetters = deadLetters;
        this.server = server;
    }

    /**
     * Checks the security settings (refusing to start without a way to authenticate callers),
     * creates missing topics ({@code LOOPLINE_PARTITIONS} partitions, {@code LOOPLINE_REPLICATION_FACTOR} replicas) and starts
     * serving; the query side restores in the background.
     */
    public static EventGateway start(GatewayConfig config) {
        // first, so that a gateway that could not authenticate anyone stops before touching Kafka
        GatewaySecurity security = GatewaySecurity.from(config.security());
        Map<String, Object> clients = config.clientConfig();
        int partitions;
        try (Admin admin = Admin.create(clients)) { // with the LOOPLINE_KAFKA_* overrides (security)
            TopicProvisioner.ensureTopics(admin, config.topics(), config.partitions(), config.replicationFactor());
            partitions = TopicProvisioner.partitionCount(admin, config.topics().transitions());
        }
        Meters meters = Meters.open(SERVICE);
        Tracing tracing = Tracing.open(SERVICE, System.getenv());
        EventPublisher publisher = new EventPublisher(clients, config.topics(), config.publishTimeout());
        publisher.observe(meters);
        AckPublisher acks = new AckPublisher(clients, config.topics(), config.publishTimeout());
        DefinitionRepository definitions = new DefinitionRepository(clients, config.topics());
        QueryApplication queries =
                new QueryApplication(clients, config.topics(), config.query(), config.replicationFactor(), partitions);
        queries.observe(meters);
        OperatorChannel operators = new OperatorChannel(clients, config.topics());
        DeadLetters deadLetters = new DeadLetters(clients, config.topics());
        definitions.start();
        operators.start();
        GatewayServer server = GatewayServer.start(
                config.httpHost(),
                config.httpPort(),
                publisher,
                acks,
                definitions,
                deadLetters,
                queries,
                operators,
                security,
                config.tls(),
                config.http(),
                new BrokerProbe(clients),
                meters,
                tracing);
        // after the server: its port is what the query side advertises to the other processes
        queries.start(server.port());
        WebhookDelivery webhooks = config.webhooks().enabled()
                ? WebhookDelivery.start(clients, config.topics(), config.webhooks(), meters.registry())
                : null;
        return new EventGateway(
                publisher, acks, definitions, queries, operators, deadLetters, server, webhooks, meters, tracing);
    }

    /**
     * Waits until this process's query partitions are restored and served: for tests and tools
     * that query right after a start (the HTTP API answers 503 with Retry-After until then).
     */
    public boolean awaitQueries(Duration timeout) throws InterruptedException {
        return queries.awaitRunning(timeout);
    }

    public int port() {
        return server.port();
    }

    @Override
    public void close() {
        if (webhooks != null) {
            webhooks.close();
        }
        server.close();
        operators.close();
        deadLetters.close();
        queries.close();
        definitions.close();
        publisher.close();
        acks.close();
        meters.close();
        tracing.close();
    }
}
