package dev.loopline.definition.expression;

import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelOptions;
import dev.cel.common.CelValidationException;
import dev.cel.common.types.MapType;
import dev.cel.common.types.SimpleType;
import dev.cel.common.values.NullValue;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Loopline's expression language: Google's Common Expression Language (CEL), used through the
 * cel-java library. CEL has no side effects, no I/O, no loops beyond bounded macros and no access
 * to Java classes, so a definition cannot run arbitrary code. Cost is bounded by the source length
 * ({@value #MAX_SOURCE_LENGTH} characters) and by at most {@value #MAX_ITERATIONS} iterations of the
 * comprehension macros ({@code all}, {@code exists}, {@code map}, {@code filter}).
 *
 * <p>Variables: {@code trigger} (the event that started the instance: eventId, source, entityType,
 * entityId, messageName, attributes, changedAttributes, occurredAt, and an on-demand start's
 * inputs), {@code steps} (step outputs,
 * {@code steps.<step>.<key>}), {@code vars} (variables set by set-variable steps), {@code event}
 * (the event being tested by a wait's "until") and {@code now} (the time of the input being
 * processed, never the wall clock).
 *
 * <p>One instance per processor: it caches compiled programs, keyed by source.
 */
public final class Expressions {

    public static final int MAX_SOURCE_LENGTH = 2_000;
    public static final int MAX_ITERATIONS = 1_000;
    private static final int MAX_CACHED = 10_000;

    private static final CelCompiler COMPILER = CelCompilerFactory.standardCelCompilerBuilder()
            .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
            .addVar("trigger", MapType.create(SimpleType.STRING, SimpleType.DYN))
            .addVar("steps", MapType.create(SimpleType.STRING, SimpleType.DYN))
            .addVar("vars", MapType.create(SimpleType.STRING, SimpleType.DYN))
            .addVar("event", MapType.create(SimpleType.STRING, SimpleType.DYN))
            .addVar("now", SimpleType.TIMESTAMP)
            .build();
    private static final CelRuntime RUNTIME = CelRuntimeFactory.standardCelRuntimeBuilder()
            .setOptions(CelOptions.current()
                    .comprehensionMaxIterations(MAX_ITERATIONS)
                    .build())
            .build();

    private final Map<String, CelRuntime.Program> programs = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, CelRuntime.Program> eldest) {
            return size() > MAX_CACHED;
        }
    };

    /** Checks that the source compiles; throws {@link ExpressionException} with CEL's message if not. */
    public static void check(String source) {
        compile(source);
    }

    /** Evaluates the source with these variables (any of them may be absent: it is then an empty map). */
    public Object evaluate(String source, Map<String, Object> variables) {
        CelRuntime.Program program = programs.computeIfAbsent(source, s -> {
            try {
                return RUNTIME.createProgram(compile(s));
            } catch (CelEvaluationException e) {
                throw new ExpressionException("cannot plan '" + s + "': " + e.getMessage(), e);
            }
        });
        Map<String, Object> input = new HashMap<>();
        for (String name : List.of("trigger", "steps", "vars", "event")) {
            input.put(name, toCel(variables.getOrDefault(name, Map.of())));
        }
        input.put("now", variables.getOrDefault("now", Instant.EPOCH));
        try {
            return fromCel(program.eval(input));
        } catch (CelEvaluationException e) {
            throw new ExpressionException("'" + source + "' failed: " + e.getMessage(), e);
        }
    }

    /** Evaluates a condition, which must yield a boolean. */
    public boolean test(String source, Map<String, Object> variables) {
        Object value = evaluate(source, variables);
        if (value instanceof Boolean result) {
            return result;
        }
        throw new ExpressionException("'" + source + "' must be true or false, but was " + describe(value));
    }
    /** The latest instant an expression may give: year 10000 is a mistake, and overflows milliseconds. */
    public static final Instant LATEST = Instant.parse("9999-12-31T23:59:59Z");

    /** Evaluates an instant (a CEL timestamp, an ISO-8601 string or epoch milliseconds) between 1970 and 9999. */
    public Instant instant(String source, Map<String, Object> variables) {
        Instant instant = anyInstant(source, variables);
        if (instant.isBefore(Instant.EPOCH) || instant.isAfter(LATEST)) {
            throw new ExpressionException("'" + source + "' gave " + instant + ", outside 1970 to 9999");
        }
        return instant;
    }

    private Instant anyInstant(String source, Map<String, Object> variables) {
        Object value = evaluate(source, variables);
        if (value instanceof Instant instant) {
            return instant;
        }
        if (value instanceof Long millis) {
            return Instant.ofEpochMilli(millis);
        }
        if (value instanceof String text) {
            try {
                return Instant.parse(text);
            } catch (RuntimeException e) {
                throw new ExpressionException("'" + source + "' gave '" + text + "', not an ISO-8601 instant");
            }
        }
        throw new ExpressionException("'" + source + "' must give a timestamp, but was " + describe(value));
    }

    /** Evaluates a value that can be stored: null, boolean, long, double or string (timestamps become ISO strings). */
    public Object scalar(String source, Map<String, Object> variables) {
        Object value = evaluate(source, variables);
        if (value == null
                || value instanceof Boolean
                || value instanceof Long
                || value instanceof Double
                || value instanceof String) {
            return value;
        }
        if (value instanceof Instant || value instanceof java.time.Duration) {
            return value.toString();
        }
        throw new ExpressionException(
                "'" + source + "' must give a string, number, boolean or null, but was " + describe(value));
    }

    private static CelAbstractSyntaxTree compile(String source) {
        if (source == null || source.isBlank()) {
            throw new ExpressionException("empty expression");
        }
        if (source.length() > MAX_SOURCE_LENGTH) {
            throw new ExpressionException("expression longer than " + MAX_SOURCE_LENGTH + " characters");
        }
        try {
            return COMPILER.compile(source).getAst();
        } catch (CelValidationException e) {
            throw new ExpressionException(
                    "'" + source + "' is not a valid expression: "
                            + e.getMessage().lines().findFirst().orElse(""),
                    e);
        }
    }

    private static Object toCel(Object value) {
        if (value == null) {
            return NullValue.NULL_VALUE;
        }
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> converted = new HashMap<>();
            map.forEach((k, v) -> converted.put(String.valueOf(k), toCel(v)));
            return converted;
        }
        if (value instanceof List<?> list) {
            List<Object> converted = new ArrayList<>();
            list.forEach(v -> converted.add(toCel(v)));
            return converted;
        }
        if (value instanceof Integer i) {
            return i.longValue();
        }
        return value;
    }

    private static Object fromCel(Object value) {
        if (value instanceof NullValue) {
            return null;
        }
        if (value instanceof com.google.common.primitives.UnsignedLong unsigned) {
            return unsigned.longValue();
        }
        return value;
    }

    private static String describe(Object value) {
        return value == null ? "null" : value + " (" + value.getClass().getSimpleName() + ")";
    }
}
