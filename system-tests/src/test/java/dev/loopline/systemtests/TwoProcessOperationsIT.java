package dev.loopline.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loopline.api.TopicProvisioner;
import dev.loopline.api.Topics;
import dev.loopline.gateway.EventGateway;
import dev.loopline.gateway.GatewayConfig;
import dev.loopline.runtime.config.RuntimeConfig;
import dev.loopline.runtime.domain.InstanceIds;
import dev.loopline.systemtests.support.GatewayClient;
import dev.loopline.systemtests.support.RuntimeProcess;
import dev.loopline.systemtests.support.TestRuntime;
import dev.loopline.systemtests.support.TestTopics;
import dev.loopline.testsupport.handler.AcknowledgingHandler;
import dev.loopline.testsupport.infra.Directories;
import dev.loopline.testsupport.infra.Infrastructure;
import dev.loopline.testsupport.junit.LooplineInfrastructureExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Two runtime processes share the application; two gateways serve it, and share the query side's
 * partitions. Queries give the same answers from either gateway (each asks the other for the
 * partitions it serves), and operator actions reach the instance wherever it runs: each runtime
 * process owns some of the canceled instances.
 */
@ExtendWith(LooplineInfrastructureExtension.class)
class TwoProcessOperationsIT {

    private static final int INSTANCES = 12;
    private static final int PARTITIONS = 4;

    @Test
    void shouldAnswerAlikeFromEitherGatewayAndActOnInstancesOfEitherProcess(Infrastructure infra) throws Exception {
        // given: two runtime processes in one Streams group, two gateways
        Topics topics = TestTopics.unique("ops");
        try (Admin admin = infra.admin()) {
            TopicProvisioner.ensureTopics(admin, topics, PARTITIONS, (short) 1);
        }
        Map<String, String> settings = TestRuntime.settings(infra, topics);
        String applicationId = settings.get("LOOPLINE_APPLICATION_ID");
        Path logs = Files.createDirectories(Path.of("target", "runtime-processes"));
        Map<String, String> gatewaySettings = new HashMap<>(settings);
        gatewaySettings.put("LOOPLINE_HTTP_HOST", "127.0.0.1");
        gatewaySettings.put("LOOPLINE_HTTP_PORT", "0");

        try (RuntimeProcess first =
                        RuntimeProcess.start(RuntimeConfig.from(withStateDir(settings)), logs.resolve("ops-1.log"));
                RuntimeProcess second =
                        RuntimeProcess.start(RuntimeConfig.from(withStateDir(settings)), logs.resolve("ops-2.log"));
                EventGateway gatewayA = EventGateway.start(GatewayConfig.from(gatewaySettings));
                EventGateway gatewayB = EventGateway.start(GatewayConfig.from(gatewaySettings));
                AcknowledgingHandler handler =
                        AcknowledgingHandler.start(infra.clientConfig(), topics, topics.prefix() + "app");
                Admin admin = infra.admin()) {
            GatewayClient a = new GatewayClient(gatewayA.port());
            GatewayClient b = new GatewayClient(gatewayB.port());
            assertThat(a.post("/v1/definitions", """
                            {"id":"orders","name":"orders","trigger":{"entityType":"order","messageName":"Create"},
                             "steps":[{"name":"approval","kind":"wait-for-event",
                                       "event":{"entityType":"order","messageName":"Approved","key":"trigger.entityId"}}]}""").status()).isEqualTo(201);
            assertThat(a.post("/v1/definitions/orders/activate", "").status()).isEqualTo(200);
            Map<TopicPartition, String> owners = await().atMost(Duration.ofMinutes(2))
                    .ignoreException(org.apache.kafka.common.errors.GroupIdNotFoundException.class)
                    .ignoreException(java.util.concurrent.ExecutionException.class)
                    .until(
                            () -> owners(admin, applicationId, topics),
                            o -> o.values().stream().distinct().count() == 2);

            // when: instances start and wait
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < INSTANCES; i++) {
                assertThat(a.post("/v1/events", """
                                {"eventId":"order-%d","source":"erp","entityType":"order","entityId":"o-%d","messageName":"Create"}""".formatted(i, i)).status()).isEqualTo(202);
                ids.add(InstanceIds.instanceId("order-" + i, "orders"));
            }
            await().atMost(Duration.ofMinutes(2))
                    .until(() -> a.listed("/v1/instances?definitionId=orders&statusCode=10") == INSTANCES);

            // then: the query side's partitions are spread over both gateways, each served once
            await().atMost(Duration.ofMinutes(1)).untilAsserted(() -> {
                List<Integer> onA = a.localPartitions();
                List<Integer> onB = b.localPartitions();
                assertThat(onA).isNotEmpty();
                assertThat(onB).isNotEmpty().doesNotContainAnyElementsOf(onA);
                List<Integer> both = new ArrayList<>(onA);
                both.addAll(onB);
                assertThat(both).containsExactlyInAnyOrder(0, 1, 2, 3);
            });
            // and: paged through, either gateway lists every instance once, newest first
            assertThat(pageThrough(a, "/v1/instances?definitionId=orders&limit=5"))
                    .containsExactlyInAnyOrderElementsOf(ids)
                    .isEqualTo(pageThrough(b, "/v1/instances?definitionId=orders&limit=5"))
                    .isEqualTo(pageThrough(b, "/v1/instances?limit=3"));
            // and: they can be found by what they wait for
            assertThat(pageThrough(b, "/v1/instances?waitingFor=event:Approved&limit=4"))
                    .containsExactlyInAnyOrderElementsOf(ids);
            assertThat(pageThrough(a, "/v1/instances?waitingFor=timer")).isEmpty();
            // and: either gateway reads every instance, wherever its partition is served
            for (String id : ids) {
                assertThat(b.get("/v1/instances/" + id).json())
                        .isEqualTo(a.get("/v1/instances/" + id).json());
            }

            // and: either gateway gives the same answers
            for (String query : List.of(
                    "/v1/instances?definitionId=orders&limit=5",
                    "/v1/instances/counts",
                    "/v1/instances/" + ids.get(0),
                    "/v1/instances/" + ids.get(0) + "/transitions")) {
                await().atMost(Duration.ofSeconds(30))
                        .untilAsserted(() -> assertThat(b.get(query).json())
                                .isEqualTo(a.get(query).json()));
            }
            JsonNode firstPage =
                    a.get("/v1/instances?definitionId=orders&limit=5").json();
            JsonNode secondPage = a.get("/v1/instances?definitionId=orders&limit=5&after="
                            + firstPage.get("next").asText())
                    .json();
            assertThat(firstPage.get("items")).hasSize(5);
            assertThat(secondPage.get("items").get(0).get("instanceId"))
                    .isNotEqualTo(firstPage.get("items").get(4).get("instanceId"));

            // and: canceling through gateway B reaches an instance of each runtime process
            Map<String, String> byOwner = new HashMap<>();
            for (String id : ids) {
                byOwner.putIfAbsent(owners.get(partitionOf(topics, id)), id);
            }
            assertThat(byOwner).hasSize(2);
            for (String id : byOwner.values()) {
                var canceled = b.post("/v1/instances/" + id + "/cancel", "{\"note\":\"customer withdrew\"}");
                assertThat(canceled.status()).isEqualTo(200);
                assertThat(canceled.json().get("statusCode").asInt()).isEqualTo(32);
                var again = a.post("/v1/instances/" + id + "/cancel", "");
                assertThat(again.status()).isEqualTo(409);
                assertThat(again.contentType()).startsWith("application/problem+json");
                assertThat(again.json().get("detail").asText())
                        .startsWith("cannot cancel an instance that is COMPLETED");
            }
            String waiting = ids.stream()
                    .filter(id -> !byOwner.containsValue(id))
                    .findFirst()
                    .orElseThrow();
            assertThat(a.post("/v1/instances/" + waiting + "/pause", "").status())
                    .isEqualTo(409);
            assertThat(a.post("/v1/instances/" + waiting + "/postpone", "{\"until\":\"2099-01-01T00:00:00Z\"}")
                            .status())
                    .isEqualTo(409);
            assertThat(a.post("/v1/instances/" + waiting + "/resume", "")
                            .json()
                            .get("statusCode")
                            .asInt())
                    .isEqualTo(10);
            assertThat(a.post("/v1/instances/nobody/cancel", "").status()).isEqualTo(404);
            // the resume is three transitions (10 → 0 → 20 → 10), which the query side applies one by one:
            // the bulk filter below counts the instance only once both gateways have read the last of them
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                for (GatewayClient gateway : List.of(a, b)) {
                    JsonNode transitions = gateway.get("/v1/instances/" + waiting + "/transitions")
                            .json()
                            .get("transitions");
                    assertThat(transitions.toString()).contains("resumed by an operator");
                    assertThat(transitions
                                    .get(transitions.size() - 1)
                                    .get("statusCode")
                                    .asInt())
                            .isEqualTo(10);
                }
            });

            var bulk = b.post(
                    "/v1/instances/actions/cancel", "{\"filter\":{\"definitionId\":\"orders\",\"statusCode\":10}}");
            assertThat(bulk.status()).isEqualTo(202);
            // its progress, read at either gateway (the other relays to the one that runs it)
            String operation =
                    "/v1/operations/" + bulk.json().get("operationId").asText();
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> a.get(operation).json().get("state").asText(), "SUCCEEDED"::equals);
            assertThat(a.get(operation).json().get("accepted").asInt()).isEqualTo(INSTANCES - 2);
            assertThat(b.get(operation).json()).isEqualTo(a.get(operation).json());
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                assertThat(a.get("/v1/instances/counts")
                                .json()
                                .path("COMPLETED")
                                .path("32")
                                .asInt())
                        .isEqualTo(INSTANCES);
                assertThat(b.get("/v1/instances/counts").json())
                        .isEqualTo(a.get("/v1/instances/counts").json());
            });
            String gone = ids.get(0);
            assertThat(gatewayDelete(a, gone)).isEqualTo(200);
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                assertThat(a.get("/v1/instances/" + gone).status()).isEqualTo(404);
                assertThat(b.get("/v1/instances/" + gone).status()).isEqualTo(404);
            });
            assertThat(first.isAlive() && second.isAlive()).isTrue();
            assertThat(handler.handled()).isGreaterThanOrEqualTo(INSTANCES);
        }
    }

    /** The instance ids of every page of a list. */
    private static List<String> pageThrough(GatewayClient gateway, String query) {
        return gateway.pageThrough(query).stream()
                .map(item -> item.get("instanceId").asText())
                .toList();
    }

    private static int gatewayDelete(GatewayClient gateway, String id) {
        return gateway.delete("/v1/instances/" + id).status();
    }

    private static Map<String, String> withStateDir(Map<String, String> settings) throws Exception {
        Map<String, String> own = new HashMap<>(settings);
        own.put("LOOPLINE_STATE_DIR", Directories.temporary("ops-state-").toString());
        return own;
    }

    /** Which group member consumes each instance-commands partition. */
    private static Map<TopicPartition, String> owners(Admin admin, String groupId, Topics topics) throws Exception {
        ConsumerGroupDescription group =
                admin.describeConsumerGroups(List.of(groupId)).all().get().get(groupId);
        Map<TopicPartition, String> owners = new HashMap<>();
        for (MemberDescription member : group.members()) {
            for (TopicPartition partition : member.assignment().topicPartitions()) {
                if (partition.topic().equals(topics.instanceCommands())) {
                    owners.put(partition, member.clientId().replaceAll("-StreamThread-.*", ""));
                }
            }
        }
        return owners.size() == PARTITIONS ? owners : Map.of();
    }

    /** The partition Kafka's default partitioner gives a record keyed by this instance id. */
    private static TopicPartition partitionOf(Topics topics, String instanceId) {
        int partition = Utils.toPositive(Utils.murmur2(instanceId.getBytes(StandardCharsets.UTF_8))) % PARTITIONS;
        return new TopicPartition(topics.instanceCommands(), partition);
    }
}
