package dev.loopline.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loopline.api.InstanceId;
import dev.loopline.api.OnDemandStart;
import dev.loopline.api.TopicProvisioner;
import dev.loopline.api.Topics;
import dev.loopline.api.security.ApiKeyStore;
import dev.loopline.cli.LooplineCli;
import dev.loopline.gateway.EventGateway;
import dev.loopline.gateway.GatewayConfig;
import dev.loopline.runtime.LooplineRuntime;
import dev.loopline.runtime.config.RuntimeConfig;
import dev.loopline.runtime.domain.InstanceIds;
import dev.loopline.systemtests.support.GatewayClient;
import dev.loopline.systemtests.support.TestRuntime;
import dev.loopline.systemtests.support.TestTopics;
import dev.loopline.testsupport.handler.AcknowledgingHandler;
import dev.loopline.testsupport.infra.Infrastructure;
import dev.loopline.testsupport.junit.LooplineInfrastructureExtension;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every subcommand of {@code loopline} against a real gateway and runtime, in both output formats:
 * tables for people, JSON for scripts, and the exit codes a script reads.
 */
@ExtendWith(LooplineInfrastructureExtension.class)
class CliIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    private record Result(int exit, String out, String err) {

        JsonNode json() {
            try {
                return JSON.readTree(out);
            } catch (Exception e) {
                throw new AssertionError("not one JSON document: " + out, e);
            }
        }

        List<JsonNode> lines() {
            List<JsonNode> lines = new ArrayList<>();
            for (String line : out.split("\n")) {
                try {
                    lines.add(JSON.readTree(line));
                } catch (Exception e) {
                    throw new AssertionError("not a JSON line: " + line, e);
                }
            }
            return lines;
        }
    }

    private int port;
    private String key = GatewayClient.SUITE_KEY;

    private Result cliWith(String stdin, String... args) {
        List<String> line = new ArrayList<>(List.of("--gateway", "http://127.0.0.1:" + port, "--key", key));
        line.addAll(List.of(args));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = LooplineCli.run(
                line.toArray(String[]::new),
                Map.of(),
                new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                new PrintWriter(out, true),
                new PrintWriter(err, true));
        return new Result(exit, out.toString(), err.toString());
    }

    private Result cli(String... args) {
        return cliWith("", args);
    }

    @Test
    void shouldRunEverySubcommandAgainstAGateway(Infrastructure infra, @TempDir Path dir) throws Exception {
        // given
        Topics topics = TestTopics.unique("cli");
        try (Admin admin = infra.admin()) {
            TopicProvisioner.ensureTopics(admin, topics, 3, (short) 1);
        }
        Map<String, String> settings = TestRuntime.settings(infra, topics);
        settings.put("LOOPLINE_HTTP_HOST", "127.0.0.1");
        settings.put("LOOPLINE_HTTP_PORT", "0");
        Path orders = Files.writeString(dir.resolve("orders.json"), """
                {"id":"orders","name":"orders","trigger":{"entityType":"order","messageName":"Created"},
                 "steps":[{"name":"confirm","kind":"send-message","messageName":"Confirm"}]}""");
        Path parcels = Files.writeString(dir.resolve("parcels.json"), """
                {"id":"parcels","name":"parcels","trigger":{"entityType":"parcel","messageName":"Created"},
                 "steps":[{"name":"delivered","kind":"wait-for-event",
                           "event":{"entityType":"parcel","messageName":"Delivered","key":"trigger.entityId"}}]}""");

        try (LooplineRuntime runtime = LooplineRuntime.start(RuntimeConfig.from(settings));
                EventGateway gateway = EventGateway.start(GatewayConfig.from(settings));
                AcknowledgingHandler application =
                        AcknowledgingHandler.start(infra.clientConfig(), topics, topics.prefix() + "app")) {
            port = gateway.port();
            assertThat(gateway.awaitQueries(Duration.ofSeconds(60))).isTrue();

            // definitions: deploy and activate, list, get, deactivate and activate again
            Result deployed = cli("definitions", "deploy", orders.toString(), "--activate");
            assertThat(deployed.exit()).as(deployed.err()).isZero();
            assertThat(deployed.out()).contains("ID", "orders", "ACTIVE");
            Result deployedJson = cli("-o", "json", "definitions", "deploy", "-", "--activate");
            assertThat(deployedJson.exit()).as(deployedJson.err()).isEqualTo(1); // stdin is empty: not a definition
            assertThat(cliWith(Files.readString(parcels), "-o", "json", "definitions", "deploy", "-", "--activate")
                            .json()
                            .path("status")
                            .asText())
                    .isEqualTo("ACTIVE");
            assertThat(cli("definitions", "list").out()).contains("orders", "parcels", "ACTIVE");
            assertThat(cli("-o", "json", "definitions", "list").json().path("items"))
                    .hasSize(2);
            assertThat(cli("definitions", "get", "orders").out()).contains("\"messageName\" : \"Confirm\"");
            assertThat(cli("-o", "json", "definitions", "get", "orders", "--version", "1")
                            .json()
                            .path("version")
                            .asInt())
                    .isEqualTo(1);
            assertThat(cli("definitions", "deactivate", "orders").out()).contains("INACTIVE");
            assertThat(cli("definitions", "activate", "orders").out()).contains("ACTIVE");
            assertThat(cli("-o", "json", "definitions", "deactivate", "orders")
                            .json()
                            .path("status")
                            .asText())
                    .isEqualTo("INACTIVE");
            assertThat(cli("-o", "json", "definitions", "activate", "orders")
                            .json()
                            .path("status")
                            .asText())
                    .isEqualTo("ACTIVE");
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> runtime.catalogEntry("orders")
                                    .filter(d -> d.getStatus().name().equals("ACTIVE"))
                                    .isPresent()
                            && runtime.catalogEntry("parcels").isPresent());

            // events: two lines from standard input, one of them invalid
            Result published = cliWith(event("order-1", "order") + "\n{\"eventId\":\"bad\"}\n", "events", "publish");
            assertThat(published.exit()).isEqualTo(1);
            assertThat(published.out()).contains("order-1", "accepted", "refused: 400");
            Result publishedJson = cliWith(
                    event("order-2", "order") + "\n" + event("parcel-1", "parcel") + "\n" + event("parcel-2", "parcel")
                            + "\n" + event("parcel-3", "parcel"),
                    "-o",
                    "json",
                    "events",
                    "publish");
            assertThat(publishedJson.exit()).as(publishedJson.err()).isZero();
            assertThat(publishedJson.lines())
                    .hasSize(4)
                    .allSatisfy(line -> assertThat(line.path("result").asText()).isEqualTo("accepted"));

            // instances: watch one to Completed, then list, get, history and count
            String order = InstanceIds.instanceId("order-1", "orders");
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> cli("instances", "get", order).exit() == 0);
            Result watched = cli("instances", "get", order, "--watch");
            assertThat(watched.exit()).isZero();
            assertThat(watched.out()).contains("COMPLETED", "30");
            Result watchedJson = cli("-o", "json", "instances", "get", order, "--watch");
            assertThat(watchedJson.lines().get(0).path("statusCode").asInt()).isEqualTo(30);
            assertThat(cli("instances", "get", order).out()).contains("SEQ", "SUSPENDED", "all steps completed");
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> cli("-o", "json", "instances", "list", "--definition", "parcels", "--status", "10")
                                    .json()
                                    .path("items")
                                    .size()
                            == 3);
            assertThat(cli("instances", "list", "--definition", "parcels").out())
                    .contains("WAITING FOR", "event:Delivered");
            assertThat(cli("-o", "json", "instances", "list", "--definition", "orders", "--all", "--limit", "1")
                            .lines())
                    .hasSizeGreaterThanOrEqualTo(2);
            assertThat(cli("instances", "history", order).out()).contains("SEQ", "COMPLETED");
            assertThat(cli("-o", "json", "instances", "history", order).json().path("transitions"))
                    .hasSizeGreaterThanOrEqualTo(7);
            assertThat(cli("instances", "counts").out()).contains("STATE", "COMPLETED", "SUSPENDED");
            assertThat(cli("-o", "json", "instances", "counts")
                            .json()
                            .path("SUSPENDED")
                            .path("10")
                            .asInt())
                    .isEqualTo(3);

            // actions: one by id; a refused one exits 1 with the runtime's reason
            String parcel = InstanceIds.instanceId("parcel-1", "parcels");
            Result canceled = cli("instances", "cancel", parcel, "--note", "customer called", "--compensate");
            assertThat(canceled.exit()).as(canceled.err()).isZero();
            assertThat(canceled.out()).contains("COMPLETED", "32");
            Result again = cli("instances", "cancel", parcel);
            assertThat(again.exit()).isEqualTo(1);
            assertThat(again.err()).contains("409", "cancel");

            // an on-demand start: invalid inputs exit 1 with the field; valid ones start the instance named
            assertThat(cli(
                                    "definitions",
                                    "deploy",
                                    Path.of("..", "examples", "credit-review.json")
                                            .toString(),
                                    "--activate")
                            .exit())
                    .isZero();
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> runtime.catalogEntry("credit-review").isPresent());
            Result refusedStart =
                    cli("definitions", "start", "credit-review", "--entity", "acc-1", "--input", "limit=-1");
            assertThat(refusedStart.exit()).isEqualTo(1);
            assertThat(refusedStart.err()).contains("inputs.reason");
            Result startedOnDemand = cli(
                    "-o",
                    "json",
                    "definitions",
                    "start",
                    "credit-review",
                    "--entity",
                    "acc-1",
                    "--request-id",
                    "r-1",
                    "--input",
                    "reason=annual audit",
                    "--input",
                    "limit=5");
            assertThat(startedOnDemand.exit()).as(startedOnDemand.err()).isZero();
            assertThat(startedOnDemand.lines().get(0).get("instanceId").asText())
                    .isEqualTo(InstanceId.of(
                            OnDemandStart.requestEventId("credit-review", "acc-1", "r-1"), "credit-review"));
            Result postponed = cli(
                    "-o",
                    "json",
                    "instances",
                    "postpone",
                    InstanceIds.instanceId("parcel-2", "parcels"),
                    "--until",
                    "2099-01-01T00:00:00Z");
            assertThat(postponed.exit()).isEqualTo(1);
            assertThat(postponed.err()).contains("postpone");
            assertThat(postponed.json().get(0).path("refused").asText()).contains("409");
            // by filter, in the background, watched to its end, once the query side has seen the cancel
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> cli("-o", "json", "instances", "list", "--definition", "parcels", "--status", "10")
                                    .json()
                                    .path("items")
                                    .size()
                            == 2);
            Result bulk =
                    cli("-o", "json", "instances", "cancel", "--definition", "parcels", "--status", "10", "--watch");
            assertThat(bulk.exit()).as(bulk.err()).isZero();
            assertThat(bulk.json().path("state").asText()).isEqualTo("SUCCEEDED");
            assertThat(bulk.json().path("matched").asInt()).isEqualTo(2);
            assertThat(bulk.json().path("accepted").asInt()).isEqualTo(2);
            // pause only a Locked instance, resume only a Suspended one: refused, in both formats
            String waiting = InstanceIds.instanceId("parcel-2", "parcels");
            Result paused = cli("instances", "pause", waiting);
            assertThat(paused.exit()).isEqualTo(1);
            assertThat(paused.out()).contains("refused: 409");
            assertThat(cli("-o", "json", "instances", "pause", waiting)
                            .json()
                            .get(0)
                            .path("refused")
                            .asText())
                    .contains("pause");
            Result resumed = cli("-o", "json", "instances", "resume", order);
            assertThat(resumed.exit()).isEqualTo(1);
            assertThat(resumed.json().get(0).path("refused").asText()).contains("resume");
            Result deleted = cli("instances", "delete", parcel);
            assertThat(deleted.exit()).as(deleted.err()).isZero();
            Result deletedJson = cli("-o", "json", "instances", "delete", order);
            assertThat(deletedJson.exit()).as(deletedJson.err()).isZero();
            assertThat(deletedJson.json().get(0).path("instanceId").asText()).isEqualTo(order);
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> cli("instances", "get", parcel).exit() == 3);
            Result bulkTable = cli("instances", "resume", "--definition", "parcels", "--watch");
            assertThat(bulkTable.exit()).as(bulkTable.err()).isZero();
            assertThat(bulkTable.out()).contains("OPERATION", "MATCHED", "SUCCEEDED");

            // dead letters: a record that is not an event, listed and replayed as a mended event
            try (KafkaProducer<byte[], byte[]> raw =
                    new KafkaProducer<>(infra.clientConfig(), new ByteArraySerializer(), new ByteArraySerializer())) {
                for (String key : List.of("order-3", "order-4")) {
                    raw.send(new ProducerRecord<>(
                            topics.events(),
                            key.getBytes(StandardCharsets.UTF_8),
                            "oops".getBytes(StandardCharsets.UTF_8)));
                }
            }
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> cli("-o", "json", "dead-letters", "list")
                                    .json()
                                    .path("items")
                                    .size()
                            == 2);
            assertThat(cli("dead-letters", "list").out()).contains("ID", "REASON", topics.events());
            JsonNode letters = cli("-o", "json", "dead-letters", "list").json().path("items");
            String letter = letters.get(0).path("id").asText();
            Result replayed = cliWith(event("order-3", "order"), "dead-letters", "replay", letter, "--event", "-");
            assertThat(replayed.exit()).as(replayed.err()).isZero();
            assertThat(replayed.out()).contains(letter, topics.events());
            // as it was: back on its topic (where it is dead-lettered again, being what it is)
            Result asItWas = cli(
                    "-o",
                    "json",
                    "dead-letters",
                    "replay",
                    letters.get(1).path("id").asText());
            assertThat(asItWas.exit()).as(asItWas.err()).isZero();
            assertThat(asItWas.json().path("topic").asText()).isEqualTo(topics.events());
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> cli("instances", "get", InstanceIds.instanceId("order-3", "orders"))
                                    .exit()
                            == 0);

            // not found, and a key nobody knows
            assertThat(cli("instances", "get", "nobody").exit()).isEqualTo(3);
            key = ApiKeyStore.newKey();
            Result denied = cli("definitions", "list");
            assertThat(denied.exit()).isEqualTo(4);
            assertThat(denied.err()).contains("401");
            assertThat(application.handled()).isPositive();
        }
    }

    private static String event(String eventId, String entityType) {
        return """
                {"eventId":"%s","source":"erp","entityType":"%s","entityId":"%s","messageName":"Created"}""".formatted(eventId, entityType, eventId);
    }
}
