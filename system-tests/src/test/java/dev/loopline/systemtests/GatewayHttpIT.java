package dev.loopline.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loopline.api.Topics;
import dev.loopline.definition.DefinitionLimits;
import dev.loopline.gateway.EventGateway;
import dev.loopline.gateway.GatewayConfig;
import dev.loopline.systemtests.support.Definitions;
import dev.loopline.systemtests.support.Examples;
import dev.loopline.systemtests.support.GatewayClient;
import dev.loopline.systemtests.support.TestTopics;
import dev.loopline.testsupport.definitions.LargestDefinition;
import dev.loopline.testsupport.infra.Infrastructure;
import dev.loopline.testsupport.junit.LooplineInfrastructureExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The gateway's HTTP contract on a real broker: status codes and RFC 9457 problem bodies. */
@ExtendWith(LooplineInfrastructureExtension.class)
class GatewayHttpIT {

    private static EventGateway eventGateway;
    private static GatewayClient gateway;

    @BeforeAll
    static void start(Infrastructure infra) throws InterruptedException {
        Topics topics = TestTopics.unique("http");
        Map<String, String> settings = new HashMap<>(Map.of(
                "LOOPLINE_BOOTSTRAP_SERVERS", infra.bootstrapServers(),
                "LOOPLINE_SCHEMA_REGISTRY_URL", infra.schemaRegistryUrl(),
                "LOOPLINE_TOPIC_PREFIX", topics.prefix(),
                "LOOPLINE_HTTP_HOST", "127.0.0.1",
                "LOOPLINE_HTTP_PORT", "0"));
        settings.putAll(GatewayClient.authSettings());
        eventGateway = EventGateway.start(GatewayConfig.from(settings));
        assertThat(eventGateway.awaitQueries(Duration.ofSeconds(60))).isTrue();
        gateway = new GatewayClient(eventGateway.port());
    }

    @AfterAll
    static void stop() {
        eventGateway.close();
    }

    @Test
    void shouldAcceptAValidEventWith202AndItsId() {
        var response = gateway.post("/v1/events", Definitions.event("e-42", "account", "a-1", "Create"));

        assertThat(response.status()).isEqualTo(202);
        assertThat(response.json().get("eventId").asText()).isEqualTo("e-42");
    }

    @Test
    void shouldAnswerAnInvalidEventWithAProblemNamingEachField() {
        var response = gateway.post("/v1/events", "{\"source\":\"erp\",\"attributes\":{\"x\":[1]}}");

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.contentType()).startsWith("application/problem+json");
        assertThat(response.json().get("title").asText()).isEqualTo("Invalid request");
        assertThat(response.json().get("status").asInt()).isEqualTo(400);
        assertThat(response.json().get("instance").asText()).isEqualTo("/v1/events");
        assertThat(response.json().get("errors").findValuesAsText("field"))
                .containsExactlyInAnyOrder("entityType", "entityId", "messageName", "attributes.x");
    }

    @Test
    void shouldAnswerMalformedJsonWithAProblem() {
        var response = gateway.post("/v1/events", "{not json");

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.contentType()).startsWith("application/problem+json");
        assertThat(response.json().get("detail").asText()).startsWith("$: malformed JSON");
    }

    @Test
    void shouldRefuseToEditAnActiveDefinitionUntilItIsDeactivated() {
        String definition = Definitions.oneStep("editable", "account", "Create");
        assertThat(gateway.post("/v1/definitions", definition).status()).isEqualTo(201);
        var activated = gateway.post("/v1/definitions/editable/activate", "");
        assertThat(activated.json().get("status").asText()).isEqualTo("ACTIVE");
        assertThat(activated.json().get("version").asInt()).isEqualTo(1);

        var refused = gateway.post("/v1/definitions", definition);
        assertThat(refused.status()).isEqualTo(409);
        assertThat(refused.contentType()).startsWith("application/problem+json");
        assertThat(refused.json().get("detail").asText()).contains("deactivate it before editing");

        assertThat(gateway.post("/v1/definitions/editable/deactivate", "").status())
                .isEqualTo(200);
        var edited = gateway.post("/v1/definitions", definition);
        assertThat(edited.status()).isEqualTo(201);
        assertThat(edited.json().get("version").asInt()).isEqualTo(2);
        assertThat(gateway.get("/v1/definitions/editable").json().get("status").asText())
                .isEqualTo("DRAFT");
        assertThat(gateway.get("/v1/definitions/editable")
                        .json()
                        .get("updatedBy")
                        .asText())
                .isEqualTo(GatewayClient.SUITE_PRINCIPAL);
    }

    @Test
    void shouldAnswerEveryCallWithoutValidCredentialsWith401Problems() {
        GatewayClient anonymous = GatewayClient.anonymous(eventGateway.port());
        GatewayClient wrongKey = new GatewayClient(eventGateway.port(), "llk_not-a-key");
        for (GatewayClient caller : new GatewayClient[] {anonymous, wrongKey}) {
            for (String path :
                    new String[] {"/health", "/v1/instances", "/v1/definitions/editable", "/v1/nothing-here"}) {
                var response = caller.get(path);
                assertThat(response.status()).as(path).isEqualTo(401);
                assertThat(response.contentType()).as(path).startsWith("application/problem+json");
                assertThat(response.authenticate()).as(path).startsWith("Bearer");
            }
            assertThat(caller.post("/v1/events", Definitions.event("e-anon", "account", "a-1", "Create"))
                            .status())
                    .isEqualTo(401);
        }
    }

    @Test
    void shouldAnswerUnknownThingsWith404Problems() {
        for (String path : new String[] {"/v1/definitions/nope", "/v1/instances/nope", "/v1/nothing-here"}) {
            var response = gateway.get(path);
            assertThat(response.status()).as(path).isEqualTo(404);
            assertThat(response.contentType()).as(path).startsWith("application/problem+json");
        }
        assertThat(gateway.post("/v1/definitions/nope/activate", "").status()).isEqualTo(404);
    }

    @Test
    void shouldDeployTheDocumentedExamples() {
        for (String example : new String[] {"expense-approval.json", "document-review.json"}) {
            var response = gateway.post("/v1/definitions", Examples.read(example));
            assertThat(response.status()).as(example).isEqualTo(201);
            assertThat(response.json().get("document").get("steps").isArray()).isTrue();
        }
    }

    @Test
    void shouldDeployADefinitionAtTheLimitsAndPrintHowLongEachDeployTook() {
        int conditions = LargestDefinition.conditionsFor(DefinitionLimits.MAX_INSTRUCTIONS);
        List<Long> millis = new ArrayList<>();
        // the first write of a gateway pays once for the producer's metadata and the schema's id
        long started = System.nanoTime();
        assertThat(gateway.post("/v1/definitions", Examples.read("expense-approval.json"))
                        .status())
                .isEqualTo(201);
        long first = (System.nanoTime() - started) / 1_000_000;
        for (int i = 0; i < 5; i++) {
            String document = LargestDefinition.document("largest-" + i, conditions, false);
            started = System.nanoTime();

            var response = gateway.post("/v1/definitions", document);

            millis.add((System.nanoTime() - started) / 1_000_000);
            assertThat(response.status()).as(response.body()).isEqualTo(201);
        }
        var over = gateway.post("/v1/definitions", LargestDefinition.document("over", conditions, true));

        assertThat(over.status()).isEqualTo(400);
        assertThat(over.body()).contains("more than " + DefinitionLimits.MAX_INSTRUCTIONS + " instructions");
        System.out.printf(
                "deploying a definition of %d instructions through the gateway to the broker took %s ms"
                        + " (after a first, small one: %d ms)%n",
                DefinitionLimits.MAX_INSTRUCTIONS, millis, first);
    }

    @Test
    void shouldAnswerAnInvalidDefinitionWithTheFieldPathOfEachError() {
        var response = gateway.post("/v1/definitions", """
                {"id":"bad","name":"bad","trigger":{"entityType":"a","messageName":"Create"},
                 "steps":[{"name":"s","kind":"send-message","messageName":"M","timeout":"soon"}]}""");

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.contentType()).startsWith("application/problem+json");
        assertThat(response.json().get("detail").asText())
                .isEqualTo("steps[0].timeout: expected ISO-8601 duration such as PT30S or P7D");
    }

    @Test
    void shouldReportHealth() {
        var health = gateway.get("/health");

        assertThat(health.status()).isEqualTo(200);
        assertThat(health.json().get("status").asText()).isEqualTo("UP");
    }
}
