package dev.loopline.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.loopline.api.TopicProvisioner;
import dev.loopline.api.Topics;
import dev.loopline.gateway.EventGateway;
import dev.loopline.gateway.GatewayConfig;
import dev.loopline.runtime.LooplineRuntime;
import dev.loopline.runtime.config.RuntimeConfig;
import dev.loopline.systemtests.support.GatewayClient;
import dev.loopline.systemtests.support.TestRuntime;
import dev.loopline.systemtests.support.TestTopics;
import dev.loopline.testsupport.handler.AcknowledgingHandler;
import dev.loopline.testsupport.infra.Infrastructure;
import dev.loopline.testsupport.junit.LooplineInfrastructureExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The web console end to end: its Playwright tests ({@code console/e2e}) drive Debian's Chromium,
 * headless, against a real gateway and runtime with an application that answers every message, and
 * the {@code loopline} launcher. Screenshots land in {@code console/target/e2e/screenshots}.
 */
@ExtendWith(LooplineInfrastructureExtension.class)
class ConsoleIT {

    private static final Path CONSOLE = Path.of("..", "console");
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CLI = Path.of("..", "cli", "target", "loopline");

    @Test
    void shouldPassTheConsolesEndToEndTests(Infrastructure infra) throws Exception {
        assumeTrue(
                Files.isExecutable(CHROMIUM),
                "Chromium is not installed (Debian's chromium package; .ci/run installs it): the console's"
                        + " end-to-end tests drive it");
        Topics topics = TestTopics.unique("console");
        try (Admin admin = infra.admin()) {
            TopicProvisioner.ensureTopics(admin, topics, 3, (short) 1);
        }
        Map<String, String> settings = TestRuntime.settings(infra, topics);
        settings.put("LOOPLINE_HTTP_HOST", "127.0.0.1");
        settings.put("LOOPLINE_HTTP_PORT", "0");

        try (LooplineRuntime runtime = LooplineRuntime.start(RuntimeConfig.from(settings));
                EventGateway gateway = EventGateway.start(GatewayConfig.from(settings));
                AcknowledgingHandler application =
                        AcknowledgingHandler.start(infra.clientConfig(), topics, topics.prefix() + "app")) {
            assertThat(runtime.awaitRunning(Duration.ofSeconds(60))).isTrue();
            assertThat(gateway.awaitQueries(Duration.ofSeconds(60))).isTrue();
            Path log = Files.createTempFile("loopline-console-e2e-", ".log");
            ProcessBuilder playwright = new ProcessBuilder(
                            List.of("npx", "playwright", "test", "--config", "e2e/playwright.config.ts"))
                    .directory(CONSOLE.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            playwright.environment().put("GATEWAY_URL", "http://127.0.0.1:" + gateway.port());
            playwright.environment().put("LOOPLINE_API_KEY", GatewayClient.SUITE_KEY);
            playwright.environment().put("LOOPLINE_CLI", CLI.toAbsolutePath().toString());
            playwright.environment().put("CHROMIUM", CHROMIUM.toString());
            Process process = playwright.start();
            boolean finished = process.waitFor(10, TimeUnit.MINUTES);
            String output = Files.readString(log, StandardCharsets.UTF_8);
            System.out.println(output);
            if (!finished) {
                process.destroyForcibly();
            }

            assertThat(finished).as("Playwright finished within 10 minutes").isTrue();
            assertThat(process.exitValue()).as(output).isZero();
            assertThat(output).contains("6 passed");
            assertThat(application.handled()).isPositive();
        }
    }
}
