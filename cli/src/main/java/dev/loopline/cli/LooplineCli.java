package dev.loopline.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.Reader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * {@code loopline}: definitions, instances, events and dead letters, through the gateway's HTTP
 * API. Where the gateway is and who calls it come from the flags, else the environment ({@code
 * LOOPLINE_GATEWAY}, {@code LOOPLINE_API_KEY}), else a profile of the profiles file.
 */
@Command(
        name = "loopline",
        // --help and --version on every subcommand too
        scope = ScopeType.INHERIT,
        mixinStandardHelpOptions = true,
        version = "loopline 0.1.0",
        description = "Administer and operate Loopline through its gateway.",
        subcommands = {
            DefinitionsCommand.class,
            InstancesCommand.class,
            EventsCommand.class,
            DeadLettersCommand.class,
            WorkItemsCommand.class,
            AutoComplete.GenerateCompletion.class,
            CommandLine.HelpCommand.class
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:done",
            "1:refused: the rules forbid the action now, or the input is invalid (the reason is printed)",
            "2:the command line is wrong",
            "3:not found",
            "4:no valid key, or the key lacks the role",
            "5:the gateway could not be reached, or is unavailable now (5xx, 429): try again"
        },
        footerHeading = "%nConnection:%n",
        footer = {
            "--gateway, else LOOPLINE_GATEWAY, else the profile's gateway (http://localhost:8080 without one).",
            "--key, else LOOPLINE_API_KEY, else the profile's key.",
            "Profiles: LOOPLINE_PROFILES, else ~/.config/loopline/profiles.properties, with lines",
            "  <profile>.gateway=https://… and <profile>.key=…"
        })
public final class LooplineCli {

    @Option(
            names = "--gateway",
            scope = ScopeType.INHERIT,
            paramLabel = "URL",
            description = "the gateway's address (env LOOPLINE_GATEWAY)")
    private String gateway;

    @Option(
            names = "--key",
            scope = ScopeType.INHERIT,
            paramLabel = "KEY",
            description = "an API key (env LOOPLINE_API_KEY)")
    private String key;

    @Option(
            names = "--profile",
            scope = ScopeType.INHERIT,
            defaultValue = "default",
            paramLabel = "NAME",
            description = "a profile of the profiles file (default: ${DEFAULT-VALUE})")
    private String profile;

    @Option(
            names = {"-o", "--output"},
            scope = ScopeType.INHERIT,
            defaultValue = "table",
            paramLabel = "FORMAT",
            description = "table (for people) or json (one document per answer, for scripts)")
    private String output;

    private final Map<String, String> env;
    private final InputStream in;
    private final PrintWriter out;

    LooplineCli(Map<String, String> env, InputStream in, PrintWriter out) {
        this.env = env;
        this.in = in;
        this.out = out;
    }

    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
        PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
        System.exit(run(args, System.getenv(), System.in, out, err));
    }

    /**
     * Runs one command line, as {@link #main} does with the process's own environment and streams;
     * its exit code.
     */
    public static int run(String[] args, Map<String, String> env, InputStream in, PrintWriter out, PrintWriter err) {
        CommandLine command = new CommandLine(new LooplineCli(env, in, out));
        command.setOut(out);
        command.setErr(err);
        command.setCaseInsensitiveEnumValuesAllowed(true);
        command.setExecutionExceptionHandler((exception, line, parsed) -> {
            if (exception instanceof Refusal refusal) {
                err.println("loopline: " + refusal.getMessage());
                err.flush();
                return refusal.exitCode();
            }
            throw exception;
        });
        return command.execute(args);
    }

    /** The gateway, as the flags, the environment or the profile say. */
    Gateway gateway() {
        Properties profiles = profiles();
        String url = first(gateway, env.get("LOOPLINE_GATEWAY"), profiles.getProperty(profile + ".gateway"));
        String apiKey = first(key, env.get("LOOPLINE_API_KEY"), profiles.getProperty(profile + ".key"));
        URI base = URI.create(url == null ? "http://localhost:8080" : url);
        return new Gateway(base, apiKey);
    }

    Output output() {
        return switch (output.toLowerCase(java.util.Locale.ROOT)) {
            case "table" -> new Output(out, Output.Format.TABLE);
            case "json" -> new Output(out, Output.Format.JSON);
            default -> throw new Refusal(ExitCodes.USAGE, "--output is table or json, not " + output);
        };
    }

    /** Standard input, for {@code -} in place of a file. */
    InputStream in() {
        return in;
    }

    /** A file's text, or standard input's for {@code -}. */
    String read(String file) {
        try {
            if (file.equals("-")) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            return Files.readString(Path.of(file));
        } catch (IOException e) {
            throw new Refusal(ExitCodes.USAGE, "cannot read " + file + ": " + e.getMessage());
        }
    }

    private Properties profiles() {
        Properties profiles = new Properties();
        Path file = env.containsKey("LOOPLINE_PROFILES")
                ? Path.of(env.get("LOOPLINE_PROFILES"))
                : Path.of(
                        env.getOrDefault("HOME", System.getProperty("user.home")),
                        ".config",
                        "loopline",
                        "profiles.properties");
        if (Files.isReadable(file)) {
            try (Reader reader = Files.newBufferedReader(file)) {
                profiles.load(reader);
            } catch (IOException e) {
                throw new Refusal(ExitCodes.USAGE, "cannot read the profiles file " + file + ": " + e.getMessage());
            }
        }
        return profiles;
    }

    private static String first(String... values) {
        for (String value : values) {
            if (value != null && !value.isBlank()) {
                return value.trim();
            }
        }
        return null;
    }
}
