package dev.loopline.api.config;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * What is made from the settings catalogues: the README's configuration table, and the effective
 * settings a process prints with {@code --print-config}.
 */
public final class SettingsTable {

    /** Shown instead of a secret's value. */
    public static final String MASK = "****";

    private static final List<String> SECRET_WORDS = List.of("password", "secret", "jaas", "token", "credential");

    private SettingsTable() {}

    /** The settings as a Markdown table: variable, default, who reads it, and what it does. */
    public static String markdown(List<Setting<?>> settings) {
        StringBuilder table = new StringBuilder("| variable | default | read by | meaning |\n|---|---|---|---|\n");
        for (Setting<?> setting : settings) {
            table.append("| `")
                    .append(setting.name())
                    .append("` | ")
                    .append(cell(setting.shownDefault()))
                    .append(" | ")
                    .append(setting.readers().stream()
                            .sorted()
                            .map(Setting.Reader::id)
                            .collect(Collectors.joining(", ")))
                    .append(" | ")
                    .append(cell(setting.doc()))
                    .append(" |\n");
        }
        return table.toString();
    }

    /**
     * The settings {@code reader} uses, with the values it would take from {@code env}, one per
     * line as {@code NAME=value}, secrets masked. Then the {@code LOOPLINE_KAFKA_*} pass-throughs
     * the catalogue does not declare (masked when their name says password, secret, JAAS, token or
     * credential), and any other {@code LOOPLINE_*} variable, which this process does not read: a
     * misspelt setting shows up here.
     */
    public static String effective(List<Setting<?>> settings, Setting.Reader reader, Map<String, String> env) {
        StringBuilder out = new StringBuilder();
        Set<String> declared = settings.stream().map(Setting::name).collect(Collectors.toSet());
        for (Setting<?> setting : settings) {
            if (!setting.readers().contains(reader)) {
                continue;
            }
            Object value = setting.from(env);
            String shown = value == null ? "" : setting.secret() ? MASK : value.toString();
            out.append(setting.name())
                    .append('=')
                    .append(shown)
                    .append(setting.isSet(env) ? "" : value == null ? "  # unset" : "  # default")
                    .append('\n');
        }
        Map<String, String> undeclared = new TreeMap<>();
        env.forEach((name, value) -> {
            if (name.startsWith("LOOPLINE_") && !declared.contains(name)) {
                undeclared.put(name, value);
            }
        });
        undeclared.forEach((name, value) -> {
            if (name.startsWith(KafkaOverrides.PREFIX)) {
                out.append(name)
                        .append('=')
                        .append(secretName(name) ? MASK : value)
                        .append("  # Kafka property ");
                out.append(name.substring(KafkaOverrides.PREFIX.length())
                        .toLowerCase(Locale.ROOT)
                        .replace('_', '.'));
                out.append('\n');
            } else {
                out.append("# ")
                        .append(name)
                        .append(" is not read by the ")
                        .append(reader.id())
                        .append('\n');
            }
        });
        return out.toString();
    }

    private static boolean secretName(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        return SECRET_WORDS.stream().anyMatch(lower::contains);
    }

    private static String cell(String text) {
        return text.replace("|", "\\|").replace("\n", " ");
    }
}
