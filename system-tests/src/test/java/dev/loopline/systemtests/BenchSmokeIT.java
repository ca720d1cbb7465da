package dev.loopline.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loopline.bench.LooplineBench;
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
                .containsKeys("idempotent producer", "consumer", "Streams passthrough, exactly_once_v2");
        List<Map<String, Object>> runs = (List<Map<String, Object>>) report.get("standardWorkflow");
        assertThat(runs).extracting(run -> run.get("label")).containsExactly("max", "50% of max");
        // the max run's records were read back per topic: one event per instance, and the hops counted
        Map<String, Double> records = (Map<String, Double>) report.get("recordsPerInstance");
        assertThat(records).containsEntry("events", 1.0).containsKeys("instance-commands", "acks", "transitions");
        assertThat((Double) report.get("hopsPerInstance")).isGreaterThanOrEqualTo(4.0);
        // the runtime writes more than it reads: messages, transitions, changelogs
        assertThat((Double) report.get("runtimeWritesPerInstance"))
                .isGreaterThan((Double) report.get("hopsPerInstance"));
        // one exactly_once_v2 hop timed alone, at the workflow's half rate and at half its own peak
        List<Map<String, Object>> paced = (List<Map<String, Object>>) report.get("pacedPassthrough");
        assertThat(paced).hasSize(2).allSatisfy(hop -> {
            Map<String, Object> latency = (Map<String, Object>) hop.get("publishToVisibleMs");
            assertThat((Long) latency.get("count")).isGreaterThanOrEqualTo(50L);
            assertThat((Double) latency.get("p50")).isPositive();
        });
        Map<String, Object> scale = (Map<String, Object>) report.get("scale");
        assertThat(scale).containsKeys("stateOnDiskMb", "heapGrowthAfterGcMb", "restoreSeconds", "timerLatenessMs");
        assertThat(scale.get("timersFired")).isEqualTo(100L);
        // every scale instance posted "workflow started", and the handler acknowledged each
        assertThat((Long) scale.get("messagesAcknowledged")).isGreaterThanOrEqualTo(200L);
        assertThat(runs).allSatisfy(run -> {
            Map<String, Object> completed = (Map<String, Object>) run.get("publishToCompletedMs");
            assertThat(completed.get("count")).isEqualTo(((Integer) run.get("instances")).longValue());
            assertThat((Double) run.get("recordRatioToPassthrough"))
                    .isGreaterThan((Double) run.get("ratioToPassthrough"));
            // where the CPU went: the runtime's stream thread did the work, and the JVM counted it
            Map<String, Double> cpu = (Map<String, Double>) run.get("cpuPercentOfOneCore");
            assertThat(cpu.get("stream")).isPositive();
            assertThat(cpu.get("jvm")).isGreaterThanOrEqualTo(cpu.get("stream"));
        });
    }
}
