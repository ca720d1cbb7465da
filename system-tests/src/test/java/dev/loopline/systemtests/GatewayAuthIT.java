package dev.loopline.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.loopline.api.TopicProvisioner;
import dev.loopline.api.Topics;
import dev.loopline.api.internal.InstanceCommand;
import dev.loopline.api.internal.OperatorCommand;
import dev.loopline.api.security.ApiKeyStore;
import dev.loopline.api.security.Role;
import dev.loopline.api.serde.AvroSerdes;
import dev.loopline.api.serde.InternalAvroSerde;
import dev.loopline.api.v1.WorkflowDefinition;
import dev.loopline.gateway.EventGateway;
import dev.loopline.gateway.GatewayConfig;
import dev.loopline.runtime.LooplineRuntime;
import dev.loopline.runtime.config.RuntimeConfig;
import dev.loopline.runtime.domain.InstanceIds;
import dev.loopline.systemtests.support.GatewayClient;
import dev.loopline.systemtests.support.TestRuntime;
import dev.loopline.systemtests.support.TestTopics;
import dev.loopline.systemtests.support.TopicReader;
import dev.loopline.testsupport.infra.Infrastructure;
import dev.loopline.testsupport.junit.LooplineInfrastructureExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Authentication end to end, on a real broker and runtime: each caller can do only what its key's
 * roles allow, a publisher only for its sources, and the Kafka records name who made each change
 * ({@code WorkflowDefinition.updatedBy}, {@code OperatorCommand.principal}).
 */
@ExtendWith(LooplineInfrastructureExtension.class)
@Timeout(180)
class GatewayAuthIT {

    private static final String ORDERS = """
            {"id":"orders","name":"orders","trigger":{"entityType":"order","messageName":"Create"},
             "steps":[{"name":"approval","kind":"wait-for-event",
                       "event":{"entityType":"order","messageName":"Approved","key":"trigger.entityId"}}]}""";

    @Test
    void shouldLetEachKeyDoOnlyItsRolesAndRecordItsPrincipalOnEveryChange(Infrastructure infra) throws Exception {
        // given: an administrator, an operator and a publisher limited to the source erp
        Topics topics = TestTopics.unique("auth");
        try (Admin admin = infra.admin()) {
            TopicProvisioner.ensureTopics(admin, topics, 3, (short) 1);
        }
        String adminKey = ApiKeyStore.newKey();
        String operatorKey = ApiKeyStore.newKey();
        String publisherKey = ApiKeyStore.newKey();
        Path keys = Files.createTempFile("loopline-auth-it-", ".json");
        Files.writeString(
                keys,
                "["
                        + String.join(
                                ",",
                                List.of(
                                        ApiKeyStore.entry(
                                                adminKey, "alice-admin", Set.of(Role.ADMINISTRATOR, Role.READER)),
                                        ApiKeyStore.entry(operatorKey, "olga-operator", Set.of(Role.OPERATOR)),
                                        "{\"principal\":\"erp-bridge\",\"sha256\":\"" + ApiKeyStore.hash(publisherKey)
                                                + "\",\"roles\":[\"publisher\"],\"sources\":[\"erp\"]}"))
                        + "]");
        Map<String, String> settings = TestRuntime.settings(infra, topics);
        settings.put("LOOPLINE_API_KEYS_FILE", keys.toString());
        settings.put("LOOPLINE_HTTP_HOST", "127.0.0.1");
        settings.put("LOOPLINE_HTTP_PORT", "0");

        try (LooplineRuntime runtime = LooplineRuntime.start(RuntimeConfig.from(settings));
                EventGateway eventGateway = EventGateway.start(GatewayConfig.from(settings));
                var definitions = TopicReader.values(
                        infra.bootstrapServers(),
                        topics.definitions(),
                        new AvroSerdes(infra.clientConfig())
                                .valueSerde(WorkflowDefinition.class)
                                .deserializer());
                var commands = TopicReader.values(
                        infra.bootstrapServers(),
                        topics.instanceCommands(),
                        new InternalAvroSerde<>(InstanceCommand.class).deserializer())) {
            GatewayClient administrator = new GatewayClient(eventGateway.port(), adminKey);
            GatewayClient operator = new GatewayClient(eventGateway.port(), operatorKey);
            GatewayClient publisher = new GatewayClient(eventGateway.port(), publisherKey);
            assertThat(runtime.awaitRunning(Duration.ofSeconds(60))).isTrue();

            // when: each does its job, and tries one that is not its own
            assertThat(operator.post("/v1/definitions", ORDERS).status()).isEqualTo(403);
            assertThat(administrator.post("/v1/definitions", ORDERS).status()).isEqualTo(201);
            assertThat(administrator.post("/v1/definitions/orders/activate", "").status())
                    .isEqualTo(200);
            assertThat(publisher.post("/v1/events", event("crm", "first")).status())
                    .isEqualTo(403);
            assertThat(publisher.post("/v1/events", event("erp", "first")).status())
                    .isEqualTo(202);
            assertThat(publisher.post("/v1/events", event("erp", "second")).status())
                    .isEqualTo(202);
            assertThat(publisher.get("/v1/instances").status()).isEqualTo(403);
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> administrator.listed("/v1/instances?definitionId=orders") == 2);
            String first = InstanceIds.instanceId("first", "orders");
            assertThat(administrator
                            .post("/v1/instances/" + first + "/cancel", "")
                            .status())
                    .isEqualTo(403);
            assertThat(operator.post("/v1/instances/" + first + "/cancel", "").status())
                    .isEqualTo(200);
            var bulk = operator.post("/v1/instances/actions/cancel", "{\"filter\":{\"definitionId\":\"orders\"}}");
            assertThat(bulk.status()).isEqualTo(202);
            String operation =
                    "/v1/operations/" + bulk.json().get("operationId").asText();
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> operator.get(operation).json().get("state").asText(), "SUCCEEDED"::equals);
            assertThat(operator.get(operation).json().get("matched").asInt()).isEqualTo(2);

            // then: the records name who did it
            List<WorkflowDefinition> saved =
                    definitions.readToEnd().stream().map(r -> r.value()).toList();
            assertThat(saved)
                    .hasSize(2)
                    .allSatisfy(d -> assertThat(d.getUpdatedBy()).isEqualTo("alice-admin"));
            List<OperatorCommand> actions = commands.readToEnd().stream()
                    .map(r -> r.value().getCommand())
                    .filter(OperatorCommand.class::isInstance)
                    .map(OperatorCommand.class::cast)
                    .toList();
            assertThat(actions).extracting(c -> c.getAction().name()).containsExactly("CANCEL", "CANCEL", "CANCEL");
            assertThat(actions).allSatisfy(c -> assertThat(c.getPrincipal()).isEqualTo("olga-operator"));
        }
    }

    private static String event(String source, String eventId) {
        return """
                {"eventId":"%s","source":"%s","entityType":"order","entityId":"o-%s","messageName":"Create"}""".formatted(eventId, source, eventId);
    }
}
