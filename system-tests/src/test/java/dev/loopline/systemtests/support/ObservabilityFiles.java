package dev.loopline.systemtests.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The metrics that the files under {@code deploy/} name in their PromQL: the Grafana dashboard, the
 * alert rules and the Kubernetes PrometheusRule. A name is any word with the prefix of a meter the
 * processes expose ({@code loopline_}, {@code kafka_}, {@code jvm_}, {@code process_}, {@code
 * system_}); label names never carry those prefixes.
 */
public final class ObservabilityFiles {

    public static final Path DEPLOY = Path.of("..", "deploy");

    private static final Pattern METRIC = Pattern.compile("\\b((?:loopline|kafka|jvm|process|system)_[a-z0-9_]+)\\b");

    private ObservabilityFiles() {}

    /** Every metric name the observability and Kubernetes files use. */
    public static Set<String> referencedMetrics() {
        Set<String> names = new TreeSet<>();
        try (Stream<Path> files = Files.walk(DEPLOY)) {
            for (Path file : files.filter(ObservabilityFiles::watched).toList()) {
                Matcher matcher = METRIC.matcher(Files.readString(file));
                while (matcher.find()) {
                    names.add(matcher.group(1));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return names;
    }

    /** Whether a scrape's names include {@code name}. */
    public static boolean exposedBy(String name, Set<String> exposed) {
        return exposed.contains(name);
    }

    private static boolean watched(Path file) {
        String name = file.getFileName().toString();
        return Files.isRegularFile(file)
                && (file.toString().contains("observability") || name.startsWith("prometheus"))
                && (name.endsWith(".json") || name.endsWith(".yaml") || name.endsWith(".yml"));
    }
}
