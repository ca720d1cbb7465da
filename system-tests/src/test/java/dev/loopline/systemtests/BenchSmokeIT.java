package dev.loopline.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.loopline.bench.LooplineBench;
import dev.loopline.bench.QueryBench;
import dev.loopline.testsupport.infra.Infrastructure;
import dev.loopline.testsupport.junit.LooplineInfrastructureExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Keeps the benchmark from rotting: a run with tiny numbers on the test broker. It checks that
 * every part ran and reported, never how fast (speed is measured by the bench, not asserted).
 */
@ExtendWith(LooplineInfrastructureExtension.class)
class BenchSmokeIT {

    @Test
    @SuppressWarnings("unchecked")
    void shouldRunEveryPartOfTheBenchAndWriteItsReport(Infrastructure infra) throws Exception {
        Path out = Path.of("target", "bench-smoke.json");
        var options = new LooplineBench.Options(
                200,
                5_000,
                List.of(0.5),
                2,
                out,
                infra.bootstrapServers(),
                infra.schemaRegistryUrl(),
                200,
                Duration.ofSeconds(5),
                Duration.ofSeconds(2),
                true,
                Duration.ZERO,
                false);

        Map<String, Object> report = LooplineBench.run(options, System.out);

        assertThat(Files.exists(out)).isTrue();
        assertThat((Map<String, Object>) report.get("limits"))
                .containsOnlyKeys(
                        "idempotent producer",
                        "consumer",
                        // with one application's stream thread, and with the runtime process's two (the ratio's)
                        "Streams passthrough, exactly_once_v2, 1 thread",
                        "Streams passthrough, exactly_once_v2");
        List<Map<String, Object>> runs = (List<Map<String, Object>>) report.get("standardWorkflow");
        assertThat(runs).extracting(run -> run.get("label")).containsExactly("max", "50% of max");
        // the max run's records were read back per topic: one event per instance, and the hops counted
        Map<String, Double> records = (Map<String, Double>) report.get("recordsPerInstance");
        assertThat(records).containsEntry("events", 1.0).containsKeys("instance-commands", "acks", "transitions");
        assertThat((Double) report.get("hopsPerInstance")).isGreaterThanOrEqualTo(4.0);
        // what the runtime writes: every record of the run but the events and the acknowledgements
        double writes =
                records.values().stream().mapToDouble(Double::doubleValue).sum()
                        - records.get("events")
                        - records.get("acks");
        assertThat((Double) report.get("runtimeWritesPerInstance")).isCloseTo(writes, within(1e-9));
        double passthrough = (Double) ((Map<String, Object>)
                        ((Map<String, Object>) report.get("limits")).get("Streams passthrough, exactly_once_v2"))
                .get("recordsPerSecond");
        // the bare hops run with one application's stream thread, so "its own peak" is that passthrough's
        double oneApplication = (Double) ((Map<String, Object>) ((Map<String, Object>) report.get("limits"))
                        .get("Streams passthrough, exactly_once_v2, 1 thread"))
                .get("recordsPerSecond");
        double peak = (Double) runs.get(0).get("completedPerSecond");
        assertThat((Double) report.get("recordRatioToPassthrough"))
                .isCloseTo(peak * ((Double) report.get("hopsPerInstance") + writes) / (2 * passthrough), within(1e-9));
        // one exactly_once_v2 hop timed alone: at the workflow's half rate and at half its own peak,
        // every record published came through and was timed
        List<Map<String, Object>> bareHops = (List<Map<String, Object>>) report.get("bareHop");
        assertThat(bareHops)
                .extracting(hop -> hop.get("label"))
                .containsExactly("at the workflow's 50% rate", "at 50% of its own peak");
        assertThat((Double) bareHops.get(0).get("targetRatePerSecond")).isCloseTo(peak * 0.5, within(1e-9));
        assertThat((Double) bareHops.get(1).get("targetRatePerSecond")).isCloseTo(oneApplication * 0.5, within(1e-9));
        assertThat(bareHops).allSatisfy(hop -> {
            Map<String, Object> latency = (Map<String, Object>) hop.get("publishToVisibleMs");
            assertThat(latency.get("count")).isEqualTo(hop.get("records"));
            // paced, never faster than asked
            assertThat((Double) hop.get("publishedPerSecond"))
                    .isLessThanOrEqualTo((Double) hop.get("targetRatePerSecond") * 1.05);
        });
        Map<String, Object> scale = (Map<String, Object>) report.get("scale");
        assertThat(scale).containsKeys("stateOnDiskMb", "heapGrowthAfterGcMb", "restoreSeconds", "timerLatenessMs");
        assertThat(scale.get("timersFired")).isEqualTo(100L);
        // the handler acknowledged each instance's "workflow started" and each fired delay's "Done"
        assertThat(scale.get("messagesHandled")).isEqualTo(200L + 100L);
        assertThat(runs).allSatisfy(run -> {
            Map<String, Object> completed = (Map<String, Object>) run.get("publishToCompletedMs");
            assertThat(completed.get("count")).isEqualTo(((Integer) run.get("instances")).longValue());
            // where the CPU went: the runtime's two stream threads did the work, and the JVM counted it
            Map<String, Double> cpu = (Map<String, Double>) run.get("cpuPercentOfOneCore");
            assertThat(cpu.get("events")).isPositive();
            assertThat(cpu.get("stream")).isPositive();
            assertThat(cpu.get("jvm")).isGreaterThanOrEqualTo(cpu.get("events") + cpu.get("stream"));
        });
    }

    /** The query bench with a few hundred instances: every figure is reported and every query answered. */
    @Test
    @SuppressWarnings("unchecked")
    void shouldRunTheQueryBenchAndAnswerEveryQuery(Infrastructure infra) throws Exception {
        Map<String, Object> report =
                QueryBench.run(infra, List.of(300), 5, "256m", Path.of("target", "query-bench-smoke-logs"), System.out);

        Map<String, Object> run = (Map<String, Object>) report.get("300");
        assertThat(run)
                .containsKeys(
                        "firstStartToCorrectCountsSeconds",
                        "gatewayHeapAfterFullGcMb",
                        "gatewayRssMb",
                        "stateOnDiskMb",
                        "restartToCorrectCountsSeconds",
                        "killNineRestartToCorrectCountsSeconds",
                        "newProcessEmptyDiskToCorrectCountsSeconds");
        Map<String, Map<String, Object>> latencies = (Map<String, Map<String, Object>>) run.get("latencyMs");
        assertThat(latencies).containsKeys("byId", "history", "listPage", "listPageByWaitingFor", "counts");
        assertThat(latencies.values()).allSatisfy(kind -> assertThat(kind).containsEntry("non200", 0));
    }
}
