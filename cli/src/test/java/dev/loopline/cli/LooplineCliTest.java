package dev.loopline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line without a gateway: help, completion, usage errors and where it would call. */
class LooplineCliTest {

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(Map<String, String> env, String... args) {
        return LooplineCli.run(
                args,
                env,
                new ByteArrayInputStream(new byte[0]),
                new PrintWriter(out, true),
                new PrintWriter(err, true));
    }

    @Test
    void shouldDescribeItsCommandsAndExitCodes() {
        assertThat(run(Map.of(), "--help")).isZero();

        assertThat(out.toString())
                .contains("definitions", "instances", "events", "dead-letters", "work-items", "generate-completion")
                .contains("Exit codes:", "3   not found", "5   the gateway could not be reached");
    }

    @Test
    void shouldHelpWithEverySubcommand() {
        assertThat(run(Map.of(), "instances", "cancel", "--help")).isZero();

        assertThat(out.toString()).contains("--definition", "--status", "--all-instances", "--watch", "--note");
    }

    @Test
    void shouldWriteAShellCompletionScript() {
        assertThat(run(Map.of(), "generate-completion")).isZero();

        assertThat(out.toString()).contains("complete -F", "loopline");
    }

    @Test
    void shouldExitTwoOnAWrongCommandLine() {
        assertThat(run(Map.of(), "instances", "postpone", "some-id")).isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString()).contains("--until");

        assertThat(run(Map.of(), "instances", "cancel")).isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString()).contains("give instance ids, a filter, or --all-instances");
    }

    @Test
    void shouldTakeTheGatewayFromTheProfileAndSayWhenItCannotBeReached(@TempDir Path dir) throws Exception {
        Path profiles = Files.writeString(dir.resolve("profiles.properties"), """
                default.gateway=http://127.0.0.1:9
                ops.gateway=http://127.0.0.1:1
                ops.key=not-a-key
                """);

        int exit = run(Map.of("LOOPLINE_PROFILES", profiles.toString()), "--profile", "ops", "definitions", "list");

        assertThat(exit).isEqualTo(ExitCodes.UNAVAILABLE);
        assertThat(err.toString()).contains("cannot reach the gateway at http://127.0.0.1:1");
    }

    @Test
    void shouldPreferTheFlagToTheEnvironmentToTheProfile(@TempDir Path dir) throws Exception {
        Path profiles = Files.writeString(dir.resolve("profiles.properties"), "default.gateway=http://127.0.0.1:7\n");

        run(
                Map.of("LOOPLINE_PROFILES", profiles.toString(), "LOOPLINE_GATEWAY", "http://127.0.0.1:8"),
                "--gateway",
                "http://127.0.0.1:6",
                "instances",
                "counts");
        assertThat(err.toString()).contains("http://127.0.0.1:6");

        run(
                Map.of("LOOPLINE_PROFILES", profiles.toString(), "LOOPLINE_GATEWAY", "http://127.0.0.1:8"),
                "instances",
                "counts");
        assertThat(err.toString()).contains("http://127.0.0.1:8");

        run(Map.of("LOOPLINE_PROFILES", profiles.toString()), "instances", "counts");
        assertThat(err.toString()).contains("http://127.0.0.1:7");
    }

    @Test
    void shouldPrintAProblemsTitleDetailAndFieldErrors() {
        Refusal refusal = Refusal.of(
                400,
                Gateway.JSON
                        .createObjectNode()
                        .put("title", "Invalid request")
                        .put("detail", "1 field is invalid")
                        .set(
                                "errors",
                                Gateway.JSON
                                        .createArrayNode()
                                        .add(Gateway.JSON
                                                .createObjectNode()
                                                .put("field", "steps[0].kind")
                                                .put("message", "unknown step kind"))));

        assertThat(refusal.exitCode()).isEqualTo(ExitCodes.REFUSED);
        assertThat(refusal.getMessage())
                .startsWith("400 Invalid request: 1 field is invalid")
                .contains("steps[0].kind: unknown step kind");
        assertThat(ExitCodes.forStatus(409)).isEqualTo(ExitCodes.REFUSED);
        assertThat(ExitCodes.forStatus(404)).isEqualTo(ExitCodes.NOT_FOUND);
        assertThat(ExitCodes.forStatus(403)).isEqualTo(ExitCodes.DENIED);
        assertThat(ExitCodes.forStatus(503)).isEqualTo(ExitCodes.UNAVAILABLE);
    }
}
