package dev.loopline.gateway;

import dev.loopline.api.TopicProvisioner;
import dev.loopline.gateway.http.GatewayServer;
import dev.loopline.gateway.kafka.BrokerProbe;
import dev.loopline.gateway.kafka.DefinitionRepository;
import dev.loopline.gateway.kafka.EventPublisher;
import dev.loopline.gateway.kafka.InstanceProjection;
import dev.loopline.gateway.kafka.OperatorChannel;
import dev.loopline.gateway.security.GatewaySecurity;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;

/** One gateway process: Kafka clients, read models and the HTTP server, started and stopped together. */
public final class EventGateway implements AutoCloseable {

    private final EventPublisher publisher;
    private final DefinitionRepository definitions;
    private final InstanceProjection instances;
    private final OperatorChannel operators;
    private final GatewayServer server;

    private EventGateway(
            EventPublisher publisher,
            DefinitionRepository definitions,
            InstanceProjection instances,
            OperatorChannel operators,
            GatewayServer server) {
        this.publisher = publisher;
        this.definitions = definitions;
        this.instances = instances;
        this.operators = operators;
        this.server = server;
    }

    /**
     * Checks the security settings (refusing to start without a way to authenticate callers),
     * creates missing topics (6 partitions, replication 1 unless they exist) and starts serving.
     */
    public static EventGateway start(GatewayConfig config) {
        // first, so that a gateway that could not authenticate anyone stops before touching Kafka
        GatewaySecurity security = GatewaySecurity.from(config.security());
        Map<String, Object> clients = config.clientConfig();
        try (Admin admin = Admin.create(clients)) { // with the LOOPLINE_KAFKA_* overrides (security)
            TopicProvisioner.ensureTopics(admin, config.topics(), 6, (short) 1);
        }
        EventPublisher publisher = new EventPublisher(clients, config.topics(), config.publishTimeout());
        DefinitionRepository definitions = new DefinitionRepository(clients, config.topics());
        InstanceProjection instances = new InstanceProjection(clients, config.topics());
        OperatorChannel operators = new OperatorChannel(clients, config.topics());
        definitions.start();
        instances.start();
        operators.start();
        GatewayServer server = GatewayServer.start(
                config.httpHost(),
                config.httpPort(),
                publisher,
                definitions,
                instances,
                operators,
                security,
                config.tls(),
                config.http(),
                new BrokerProbe(clients));
        return new EventGateway(publisher, definitions, instances, operators, server);
    }

    public int port() {
        return server.port();
    }

    @Override
    public void close() {
        server.close();
        operators.close();
        instances.close();
        definitions.close();
        publisher.close();
    }
}
