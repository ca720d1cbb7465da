package dev.loopline.api.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * One setting of a Loopline process, in the manner of Kafka's {@code ConfigDef}: its environment
 * variable, type, default, meaning and the processes that read it. Each setting is declared once,
 * as a constant of a catalogue ({@link CommonSettings}, the runtime's {@code RuntimeSettings}, the
 * gateway's {@code GatewaySettings}). The code reads it with {@link #from}; the README's
 * configuration table ({@link SettingsTable#markdown}) and {@code --print-config} ({@link
 * SettingsTable#effective}) are made from the same declarations.
 *
 * <p>A blank value counts as unset. A value that cannot be read fails with the setting's name.
 *
 * @param <T> the type the value is read as
 */
public final class Setting<T> {

    /** A process that reads settings. */
    public enum Reader {
        RUNTIME,
        GATEWAY;

        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final String name;
    private final String type;
    private final Function<String, T> parser;
    private final String defaultValue;
    private final String shownDefault;
    private final String doc;
    private final Set<Reader> readers;
    private final boolean secret;
    private final Predicate<? super T> check;
    private final String rule;

    private Setting(
            String name,
            String type,
            Function<String, T> parser,
            String defaultValue,
            String shownDefault,
            String doc,
            Set<Reader> readers,
            boolean secret,
            Predicate<? super T> check,
            String rule) {
        this.name = Objects.requireNonNull(name, "name");
        this.type = type;
        this.parser = parser;
        this.defaultValue = defaultValue;
        this.shownDefault = shownDefault;
        this.doc = doc;
        this.readers = readers;
        this.secret = secret;
        this.check = check;
        this.rule = rule;
    }

    private static <T> Setting<T> of(String name, String type, Function<String, T> parser) {
        return new Setting<>(name, type, parser, null, null, "", EnumSet.noneOf(Reader.class), false, v -> true, "");
    }

    public static Setting<String> text(String name) {
        return of(name, "text", value -> value);
    }

    /** A password or key: {@code --print-config} shows it masked. */
    public static Setting<String> secret(String name) {
        return new Setting<>(
                name, "secret", value -> value, null, null, "", EnumSet.noneOf(Reader.class), true, v -> true, "");
    }

    public static Setting<Integer> integer(String name) {
        return of(name, "integer", Integer::parseInt);
    }

    public static Setting<Long> longInteger(String name) {
        return of(name, "integer", Long::parseLong);
    }

    public static Setting<Short> shortInteger(String name) {
        return of(name, "integer", Short::parseShort);
    }

    /** {@code true} or {@code false}, nothing else. */
    public static Setting<Boolean> bool(String name) {
        return of(name, "boolean", value -> switch (value.toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException("must be true or false");
        });
    }

    /** An ISO-8601 duration, e.g. {@code PT10S}. */
    public static Setting<Duration> duration(String name) {
        return of(name, "duration", Duration::parse);
    }

    public static Setting<Path> path(String name) {
        return of(name, "path", Path::of);
    }

    /** Comma-separated values, trimmed, empty ones dropped. */
    public static Setting<List<String>> list(String name) {
        return of(
                name,
                "list",
                value -> Arrays.stream(value.split(","))
                        .map(String::trim)
                        .filter(item -> !item.isEmpty())
                        .toList());
    }

    /** The value it takes when unset, as it would be written in the environment. */
    public Setting<T> defaultsTo(String value) {
        return new Setting<>(name, type, parser, value, shownDefault, doc, readers, secret, check, rule);
    }

    /**
     * How the documentation shows a default that the code works out (from other settings, or the
     * machine): {@link #from} then returns null when unset, and the reader supplies it.
     */
    public Setting<T> defaultShownAs(String text) {
        return new Setting<>(name, type, parser, defaultValue, text, doc, readers, secret, check, rule);
    }

    public Setting<T> readBy(Reader first, Reader... more) {
        return new Setting<>(
                name, type, parser, defaultValue, shownDefault, doc, EnumSet.of(first, more), secret, check, rule);
    }

    public Setting<T> doc(String text) {
        return new Setting<>(name, type, parser, defaultValue, shownDefault, text, readers, secret, check, rule);
    }

    /** A rule every value must keep, e.g. {@code check(n -> n >= 1, "must be at least 1")}. */
    public Setting<T> check(Predicate<? super T> ok, String rule) {
        return new Setting<>(name, type, parser, defaultValue, shownDefault, doc, readers, secret, ok, rule);
    }

    /** The value in {@code env}, or the default; null when neither is there. */
    public T from(Map<String, String> env) {
        String value = raw(env).orElse(defaultValue);
        return value == null ? null : parse(value);
    }

    /** The value in {@code env}, or the default, if either is there. */
    public Optional<T> optional(Map<String, String> env) {
        return Optional.ofNullable(from(env));
    }

    /** Whether {@code env} sets it (not blank). */
    public boolean isSet(Map<String, String> env) {
        return raw(env).isPresent();
    }

    /** Puts {@code value} into {@code env} as this setting's variable. */
    public void put(Map<String, String> env, Object value) {
        env.put(name, String.valueOf(value));
    }

    private Optional<String> raw(Map<String, String> env) {
        String value = env.get(name);
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.trim());
    }

    /** The default, read as a value would be; null when there is none. */
    public T parsedDefault() {
        return defaultValue == null ? null : parse(defaultValue);
    }

    private T parse(String value) {
        T parsed;
        try {
            parsed = parser.apply(value);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(
                    name + ": cannot read '" + (secret ? "****" : value) + "' as " + type
                            + (e.getMessage() == null ? "" : " (" + e.getMessage() + ")"),
                    e);
        }
        if (!check.test(parsed)) {
            throw new IllegalArgumentException(name + " " + rule + ", not " + (secret ? "****" : value));
        }
        return parsed;
    }

    public String name() {
        return name;
    }

    /**
     * For a {@code LOOPLINE_KAFKA_*} setting, the Kafka property it sets ({@link KafkaOverrides}):
     * the process puts its default under this name, and the operator's override replaces it.
     */
    public String kafkaProperty() {
        if (!name.startsWith(KafkaOverrides.PREFIX)) {
            throw new IllegalStateException(name + " is not a Kafka property");
        }
        return name.substring(KafkaOverrides.PREFIX.length())
                .toLowerCase(Locale.ROOT)
                .replace('_', '.');
    }

    public String type() {
        return type;
    }

    /** The default as written in the environment, or null. */
    public String defaultValue() {
        return defaultValue;
    }

    /** The default as the documentation shows it. */
    public String shownDefault() {
        return shownDefault != null ? shownDefault : defaultValue != null ? "`" + defaultValue + "`" : "none";
    }

    public String doc() {
        return doc;
    }

    public Set<Reader> readers() {
        return Set.copyOf(readers);
    }

    public boolean secret() {
        return secret;
    }

    @Override
    public String toString() {
        return name;
    }
}
