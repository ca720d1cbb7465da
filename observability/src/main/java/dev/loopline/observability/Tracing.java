package dev.loopline.observability;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.context.propagation.TextMapSetter;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * W3C trace context for one process: OpenTelemetry's SDK, set up by its own {@code OTEL_*}
 * variables, and the carrying of {@code traceparent} and {@code tracestate} in Kafka record headers,
 * so that one trace follows a business event from the HTTP request through its event, start
 * command, messages, acknowledgements and transitions.
 *
 * <p>Spans are exported over OTLP only when {@code OTEL_EXPORTER_OTLP_ENDPOINT} (or {@code
 * OTEL_TRACES_EXPORTER}) says where. Without an exporter, new traces are not sampled: their spans
 * still get ids, which the records carry and the logs show, but record nothing. A trace that
 * arrives sampled stays sampled.
 */
public final class Tracing implements AutoCloseable {

    /** The headers of the W3C trace context, as HTTP and Kafka records carry them. */
    public static final List<String> HEADERS = List.of("traceparent", "tracestate");

    private static final TextMapPropagator W3C = W3CTraceContextPropagator.getInstance();
    private static final AttributeKey<String> SERVICE_NAME = AttributeKey.stringKey("service.name");

    private static final SpanProcessor NOTHING = new SpanProcessor() {
        @Override
        public void onStart(Context parent, ReadWriteSpan span) {}

        @Override
        public boolean isStartRequired() {
            return false;
        }

        @Override
        public void onEnd(ReadableSpan span) {}

        @Override
        public boolean isEndRequired() {
            return false;
        }
    };

    private static final TextMapGetter<Headers> KAFKA_GETTER = new TextMapGetter<>() {
        @Override
        public String get(Headers headers, String key) {
            if (headers == null) {
                return null;
            }
            Header header = headers.lastHeader(key);
            return header == null || header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8);
        }
    };

    private static final TextMapSetter<Headers> KAFKA_SETTER = (headers, key, value) -> {
        if (headers != null) {
            headers.remove(key);
            headers.add(key, value.getBytes(StandardCharsets.UTF_8));
        }
    };

    private static final TextMapGetter<Map<String, String>> MAP_GETTER = new TextMapGetter<>() {
        @Override
        public String get(Map<String, String> carrier, String key) {
            return carrier == null ? null : carrier.get(key);
        }
    };

    private final OpenTelemetry openTelemetry;
    private final Tracer tracer;
    private final boolean exporting;

    private Tracing(OpenTelemetry openTelemetry, String service, boolean exporting) {
        this.openTelemetry = openTelemetry;
        this.tracer = openTelemetry.getTracer("dev.loopline." + service);
        this.exporting = exporting;
    }

    /**
     * Whether spans go anywhere. When they do not, a process that only carries trace context on
     * (the runtime's hot path) need not start spans of its own: see the runtime's {@code Telemetry}.
     */
    public boolean exporting() {
        return exporting;
    }

    /**
     * The SDK as the {@code OTEL_*} variables and system properties set it up, with Loopline's
     * defaults under them: {@code service} as the service name; spans exported over OTLP
     * (http/protobuf) when an endpoint is given, otherwise none and new traces unsampled; no
     * OpenTelemetry metrics or logs (metrics go to Prometheus, logs to standard output).
     */
    public static Tracing open(String service, Map<String, String> env) {
        boolean exporting = env.containsKey("OTEL_EXPORTER_OTLP_ENDPOINT")
                || env.containsKey("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
                || env.containsKey("OTEL_TRACES_EXPORTER");
        if (!exporting) {
            // nothing to export to: spans with ids, recorded only under a sampled parent, sent nowhere
            SdkTracerProvider tracers = SdkTracerProvider.builder()
                    .setSampler(Sampler.parentBased(Sampler.alwaysOff()))
                    // the SDK hands out no-op tracers, whose spans have no ids, to a provider without
                    // a processor: this one is told of no span
                    .addSpanProcessor(NOTHING)
                    .setResource(Resource.getDefault().merge(Resource.create(Attributes.of(SERVICE_NAME, service))))
                    .build();
            return new Tracing(
                    OpenTelemetrySdk.builder()
                            .setTracerProvider(tracers)
                            .setPropagators(ContextPropagators.create(W3C))
                            .build(),
                    service,
                    false);
        }
        Map<String, String> defaults = new HashMap<>();
        defaults.put("otel.service.name", service);
        defaults.put("otel.traces.exporter", "otlp");
        defaults.put("otel.traces.sampler", "parentbased_always_on");
        defaults.put("otel.exporter.otlp.protocol", "http/protobuf");
        defaults.put("otel.metrics.exporter", "none");
        defaults.put("otel.logs.exporter", "none");
        // the OTEL_* variables of the map given, as the SDK reads them from the process's environment
        env.forEach((name, value) -> {
            if (name.startsWith("OTEL_")) {
                defaults.put(name.toLowerCase(java.util.Locale.ROOT).replace('_', '.'), value);
            }
        });
        OpenTelemetrySdk sdk = AutoConfiguredOpenTelemetrySdk.builder()
                .addPropertiesSupplier(() -> defaults)
                .build()
                .getOpenTelemetrySdk();
        return new Tracing(sdk, service, true);
    }

    /** Propagation only, with spans that record nothing: for tests and tools. */
    public static Tracing propagating() {
        return new Tracing(OpenTelemetry.propagating(ContextPropagators.create(W3C)), "none", false);
    }

    public Tracer tracer() {
        return tracer;
    }

    /** The trace context in a record's headers; the root context when they carry none. */
    public static Context extract(Headers headers) {
        return W3C.extract(Context.root(), headers, KAFKA_GETTER);
    }

    /** The trace context of an HTTP request's (or any) headers, by their lower-case names. */
    public static Context extract(Map<String, String> headers) {
        return W3C.extract(Context.root(), headers, MAP_GETTER);
    }

    /** Writes the context's {@code traceparent} (and {@code tracestate}) into the headers, replacing any. */
    public static void inject(Context context, Headers headers) {
        W3C.inject(context, headers, KAFKA_SETTER);
    }

    /** The context's {@code traceparent}, or null when it has no valid span. */
    public static String traceParent(Context context) {
        Map<String, String> carrier = new HashMap<>();
        W3C.inject(context, carrier, Map::put);
        return carrier.get("traceparent");
    }

    /** The context a stored {@code traceparent} names; the root context for null or garbage. */
    public static Context fromTraceParent(String traceParent) {
        return traceParent == null ? Context.root() : extract(Map.of("traceparent", traceParent));
    }

    /** The trace id of the span in the context, or null. */
    public static String traceId(Context context) {
        SpanContext span = Span.fromContext(context).getSpanContext();
        return span.isValid() ? span.getTraceId() : null;
    }

    @Override
    public void close() {
        if (openTelemetry instanceof OpenTelemetrySdk sdk) {
            sdk.close();
        }
    }
}
