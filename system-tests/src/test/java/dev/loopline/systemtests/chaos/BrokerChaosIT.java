package dev.loopline.systemtests.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.loopline.api.Topics;
import dev.loopline.gateway.EventGateway;
import dev.loopline.gateway.GatewayConfig;
import dev.loopline.runtime.config.RuntimeConfig;
import dev.loopline.systemtests.support.GatewayClient;
import dev.loopline.systemtests.support.RuntimeProcess;
import dev.loopline.testsupport.handler.AcknowledgingHandler;
import dev.loopline.testsupport.infra.Infrastructure;
import dev.loopline.testsupport.infra.KafkaCluster;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartitionInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Broker faults under steady load: a 3-node KRaft cluster of child JVMs (replication factor 3,
 * {@code min.insync.replicas} 2, the transaction log likewise), one runtime process, the gateway,
 * an acknowledging handler and the auditor.
 *
 * <ul>
 *   <li><b>bounce</b>: once every replica is in its ISR, kill -9 the node that leads most
 *       partitions, keep it down for {@code loopline.chaos.broker-down} (8 s) and until every
 *       partition it led has a new leader, and start it again on its data;
 *   <li><b>quorum loss</b>: kill -9 two of the three nodes. An event must answer 503, never 202,
 *       within the gateway's publish timeout (4.5 s) and the HTTP round trip; then both come back
 *       and the loop must recover.
 * </ul>
 *
 * The same judgement as {@link RuntimeChaosIT} follows. The short form runs in CI; {@code
 * ./mvnw verify -Pchaos} runs five bounces.
 */
class BrokerChaosIT {

    private static final String DEFINITION = ChaosStage.DEFINITION;

    private final int rate = Integer.getInteger("loopline.chaos.rate", 20);
    private final int bounces = Integer.getInteger("loopline.chaos.bounces", 1);
    private final int between = Integer.getInteger("loopline.chaos.between", 200);
    private final Duration down = Duration.parse(System.getProperty("loopline.chaos.broker-down", "PT8S"));

    @Test
    @Timeout(value = 40, unit = TimeUnit.MINUTES) // the full suite runs for minutes; each wait has its own bound
    void shouldLoseNothingAndDoNothingTwiceThroughBrokerBouncesAndAQuorumLoss() throws Exception {
        KafkaCluster cluster = KafkaCluster.start(3);
        try (Infrastructure infra = Infrastructure.startWith(cluster)) {
            ChaosStage stage = ChaosStage.prepare(infra, "brokers", (short) 3);
            try {
                run(infra, cluster, stage);
            } finally {
                cluster.copyLogsTo(stage.dir()); // each node's log beside the report, for reading a stall
            }
        }
    }

    private void run(Infrastructure infra, KafkaCluster cluster, ChaosStage stage) throws Exception {
        Topics topics = stage.topics();
        Path dir = stage.dir();
        Map<String, String> base = stage.settings();
        ChaosReport report = new ChaosReport();
        report.setting("events per second", rate);
        report.setting("instances between faults", between);
        report.setting("runtime settings of the experiment", ChaosStage.experimentSettings());
        report.setting("brokers", "3 (replication factor 3, min.insync.replicas 2)");
        report.setting("runtime processes", 1);
        report.setting("broker down for at least", down.toSeconds() + " s");

        Map<String, String> gatewaySettings = new HashMap<>(base);
        gatewaySettings.put("LOOPLINE_HTTP_HOST", "127.0.0.1");
        gatewaySettings.put("LOOPLINE_HTTP_PORT", "0");
        Map<String, String> runtimeSettings = stage.runtimeSettings();
        runtimeSettings.put("LOOPLINE_KAFKA_GROUP_INSTANCE_ID", "runtime-a");
        try (EventGateway gateway = EventGateway.start(GatewayConfig.from(gatewaySettings));
                Admin admin = infra.admin();
                var handler = AcknowledgingHandler.start(infra.clientConfig(), topics, topics.prefix() + "handler");
                ChaosAuditor auditor = ChaosAuditor.start(infra, topics);
                RuntimeProcess runtime =
                        RuntimeProcess.start(RuntimeConfig.from(runtimeSettings), dir.resolve("runtime-a.log"))) {
            GatewayClient client = new GatewayClient(gateway.port());
            EventLoad load = EventLoad.start(client, rate);
            List<Long> quorumLossAnswers = new ArrayList<>();
            List<Integer> quorumLossStatuses = new ArrayList<>();
            try {
                ChaosOutcome.awaitProgress(auditor, between, Long.MIN_VALUE);
                for (int bounce = 1; bounce <= bounces; bounce++) {
                    awaitInSync(admin);
                    int victim = mostLeaderships(admin, topics);
                    long fault = System.currentTimeMillis();
                    cluster.kill(victim);
                    // down for the set time, and at least until every partition it led has a new leader
                    await().atMost(Duration.ofMinutes(2))
                            .pollInterval(Duration.ofMillis(250))
                            .until(() -> System.currentTimeMillis() - fault >= down.toMillis()
                                    && leads(admin, topics, victim) == 0);
                    long downFor = System.currentTimeMillis() - fault;
                    cluster.restart(victim);
                    ChaosOutcome.recordRecovery(
                            report,
                            auditor,
                            between,
                            fault,
                            "bounce",
                            "kill -9 node " + victim + ", down " + downFor / 1000 + " s");
                }

                awaitInSync(admin);
                List<Integer> victims = cluster.nodeIds().subList(0, 2);
                long fault = System.currentTimeMillis();
                for (int victim : victims) {
                    cluster.kill(victim);
                }
                for (int i = 0; i < 5; i++) {
                    long asked = System.nanoTime();
                    var answer = client.post(
                            "/v1/events",
                            "{\"eventId\":\"quorum-loss-" + i + "\",\"source\":\"chaos\",\"entityType\":\"other\","
                                    + "\"entityId\":\"o-" + i + "\",\"messageName\":\"Submitted\"}");
                    quorumLossAnswers.add((System.nanoTime() - asked) / 1_000_000);
                    quorumLossStatuses.add(answer.status());
                }
                for (int victim : victims) {
                    cluster.restart(victim);
                }
                ChaosOutcome.recordRecovery(
                        report, auditor, between, fault, "quorum", "kill -9 nodes " + victims + ", 5 events sent");
            } finally {
                load.stop();
            }
            report.total("quorum loss: statuses", quorumLossStatuses);
            report.total("quorum loss: answered after (ms)", quorumLossAnswers);
            ChaosOutcome.judge(report, auditor, load, DEFINITION, dir, handler::handled, text -> mentions(dir, text));

            assertThat(quorumLossStatuses).as("answers during quorum loss").containsOnly(503);
            assertThat(runtime.isAlive()).isTrue();
        }
    }

    /** The node that leads most partitions of the test's topics. */
    private static int mostLeaderships(Admin admin, Topics topics) throws Exception {
        Map<Integer, Long> leaders = partitions(admin, topics).stream()
                .filter(p -> p.leader() != null)
                .collect(Collectors.groupingBy(p -> p.leader().id(), Collectors.counting()));
        return leaders.entrySet().stream()
                .max(Map.Entry.comparingByValue())
                .orElseThrow()
                .getKey();
    }

    private static long leads(Admin admin, Topics topics, int node) throws Exception {
        return partitions(admin, topics).stream()
                .filter(p -> p.leader() == null || p.leader().id() == node)
                .count();
    }

    /**
     * One broker fault at a time: a kill while the last one's replicas are still out of the ISR
     * would leave some partitions below {@code min.insync.replicas}, a quorum loss for them.
     */
    private static void awaitInSync(Admin admin) {
        await().atMost(Duration.ofMinutes(3))
                .pollInterval(Duration.ofMillis(250))
                .until(() -> underReplicated(admin) == 0);
    }

    /** Partitions of every topic, the transaction and offsets logs included, with a replica out of the ISR. */
    private static long underReplicated(Admin admin) throws Exception {
        Set<String> names = admin.listTopics(new ListTopicsOptions().listInternal(true))
                .names()
                .get();
        return admin.describeTopics(names).allTopicNames().get().values().stream()
                .map(TopicDescription::partitions)
                .flatMap(List::stream)
                .filter(p -> p.isr().size() < p.replicas().size())
                .count();
    }

    private static List<TopicPartitionInfo> partitions(Admin admin, Topics topics) throws Exception {
        Set<String> names = admin.listTopics().names().get().stream()
                .filter(name -> name.startsWith(topics.prefix()))
                .collect(Collectors.toSet());
        return admin.describeTopics(names).allTopicNames().get().values().stream()
                .map(TopicDescription::partitions)
                .flatMap(List::stream)
                .toList();
    }

    private static long mentions(Path dir, String text) {
        try (Stream<String> lines = Files.lines(dir.resolve("runtime-a.log"))) {
            return lines.filter(line -> line.contains(text)).count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
