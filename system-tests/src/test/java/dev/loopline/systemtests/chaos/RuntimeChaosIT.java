package dev.loopline.systemtests.chaos;

import static org.awaitility.Awaitility.await;

import dev.loopline.api.Topics;
import dev.loopline.gateway.EventGateway;
import dev.loopline.gateway.GatewayConfig;
import dev.loopline.systemtests.support.GatewayClient;
import dev.loopline.testsupport.handler.AcknowledgingHandler;
import dev.loopline.testsupport.infra.Infrastructure;
import dev.loopline.testsupport.junit.LooplineInfrastructureExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.StreamsGroupMemberDescription;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Faults under steady load, on real processes: two runtime processes as child JVMs (each a static
 * member named as a pod would be, with its own state directory), the gateway, an acknowledging
 * handler and an auditor reading {@code read_committed}. Events go in through the gateway at a
 * fixed rate throughout.
 *
 * <ul>
 *   <li><b>kill</b>: kill -9 one of the two processes and start it again at once, on its state
 *       directory (or, for the last kill with {@code loopline.chaos.wipe-last}, on an empty one);
 *   <li><b>zombie</b>: SIGSTOP one process until the group has dropped it and the other has
 *       taken over every partition, then SIGCONT: none of its writes may become visible.
 * </ul>
 *
 * After the faults the load stops and every accepted event's instance must complete: 0 lost, 0
 * stuck, 0 duplicate transitions or messages, 0 dead letters. Stalls (each partition's time from
 * the fault to its next visible completion) are measured and printed, not asserted. The short form
 * runs in CI; {@code ./mvnw verify -Pchaos} runs the full one (see the README, "Failover").
 */
@ExtendWith(LooplineInfrastructureExtension.class)
class RuntimeChaosIT {

    private static final String DEFINITION = ChaosStage.DEFINITION;
    private static final int PARTITIONS = ChaosStage.PARTITIONS;

    private final int rate = Integer.getInteger("loopline.chaos.rate", 20);
    private final int kills = Integer.getInteger("loopline.chaos.kills", 1);
    private final boolean wipeLast = Boolean.getBoolean("loopline.chaos.wipe-last");
    private final int zombies = Integer.getInteger("loopline.chaos.zombies", 1);
    /** Instances completed between faults: the load the processes carry before the next one. */
    private final int between = Integer.getInteger("loopline.chaos.between", 200);
    /** Instances completed before the first fault, written straight to the events topic: the state a failover must carry. */
    private final int preload = Integer.getInteger("loopline.chaos.preload", 0);

    @Test
    @Timeout(value = 40, unit = TimeUnit.MINUTES) // the full suite runs for minutes; each wait has its own bound
    void shouldLoseNothingAndDoNothingTwiceThroughKillsAndZombies(Infrastructure infra) throws Exception {
        ChaosStage stage = ChaosStage.prepare(infra, "chaos", (short) 1);
        Topics topics = stage.topics();
        Path dir = stage.dir();
        Map<String, String> base = stage.settings();
        Map<String, String> runtimeSettings = stage.runtimeSettings();
        ChaosReport report = new ChaosReport();
        report.setting("events per second", rate);
        report.setting("instances between faults", between);
        report.setting("runtime settings of the experiment", ChaosStage.experimentSettings());
        report.setting("runtime processes", 2);
        report.setting("partitions", PARTITIONS);
        report.setting("instances in state before the first fault", preload + " preloaded, and the load's");

        Map<String, String> gatewaySettings = new HashMap<>(base);
        gatewaySettings.put("LOOPLINE_HTTP_HOST", "127.0.0.1");
        gatewaySettings.put("LOOPLINE_HTTP_PORT", "0");
        try (EventGateway gateway = EventGateway.start(GatewayConfig.from(gatewaySettings));
                Admin admin = infra.admin();
                var handler = AcknowledgingHandler.start(infra.clientConfig(), topics, topics.prefix() + "handler");
                ChaosAuditor auditor = ChaosAuditor.start(infra, topics);
                Runtimes runtimes = new Runtimes(runtimeSettings, dir)) {
            runtimes.start("runtime-a");
            runtimes.start("runtime-b");
            EventLoad load = EventLoad.start(new GatewayClient(gateway.port()), rate);
            try {
                if (preload > 0) {
                    load.preload(infra, topics, preload);
                    await().atMost(Duration.ofMinutes(20))
                            .pollInterval(Duration.ofSeconds(1))
                            .until(() -> auditor.completedCount() >= preload);
                }
                ChaosOutcome.awaitProgress(auditor, between, Long.MIN_VALUE);

                for (int kill = 1; kill <= kills; kill++) {
                    String victim = kill % 2 == 1 ? "runtime-a" : "runtime-b";
                    boolean wipe = wipeLast && kill == kills;
                    long fault = System.currentTimeMillis();
                    runtimes.kill(victim);
                    if (wipe) {
                        runtimes.wipe(victim);
                    }
                    runtimes.start(victim);
                    ChaosOutcome.recordRecovery(
                            report,
                            auditor,
                            between,
                            fault,
                            "kill",
                            "kill -9 " + victim + (wipe ? ", state wiped" : ", restarted on its state"));
                }

                for (int zombie = 1; zombie <= zombies; zombie++) {
                    String victim = zombie % 2 == 1 ? "runtime-b" : "runtime-a";
                    long fault = System.currentTimeMillis();
                    runtimes.suspend(victim);
                    // frozen until the group has dropped it and the other process has taken over
                    await().atMost(Duration.ofMinutes(5))
                            .pollInterval(Duration.ofMillis(250))
                            .until(() -> !isMember(admin, runtimeSettings, victim)
                                    && auditor.everyPartitionCompletedSince(fault));
                    long frozen = System.currentTimeMillis() - fault;
                    runtimes.resume(victim);
                    ChaosOutcome.recordRecovery(
                            report,
                            auditor,
                            between,
                            fault,
                            "zombie",
                            "SIGSTOP " + victim + " for " + frozen / 1000 + " s");
                }
            } finally {
                load.stop();
            }
            ChaosOutcome.judge(report, auditor, load, DEFINITION, dir, handler::handled, runtimes::logMentions);
        }
    }

    /** Whether any of the process's stream threads is still a member of either application's group. */
    private static boolean isMember(Admin admin, Map<String, String> settings, String process) throws Exception {
        String applicationId = settings.get("LOOPLINE_APPLICATION_ID");
        List<String> groupIds = List.of(applicationId, applicationId + "-events");
        Stream<Optional<String>> instanceIds = "streams".equalsIgnoreCase(settings.get("LOOPLINE_KAFKA_GROUP_PROTOCOL"))
                ? admin.describeStreamsGroups(groupIds).all().get().values().stream()
                        .flatMap(group -> group.members().stream())
                        .map(StreamsGroupMemberDescription::instanceId)
                : admin.describeConsumerGroups(groupIds).all().get().values().stream()
                        .flatMap(group -> group.members().stream())
                        .map(MemberDescription::groupInstanceId);
        return instanceIds.anyMatch(id -> id.isPresent() && id.get().startsWith(process + "-"));
    }
}
