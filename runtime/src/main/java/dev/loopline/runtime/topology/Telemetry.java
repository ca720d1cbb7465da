package dev.loopline.runtime.topology;

import dev.loopline.observability.Tracing;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.slf4j.MDC;

/**
 * What the processors report while they work: Loopline's metrics ({@link LoopMetrics}), and for each
 * record the trace it belongs to, which the records it writes carry on and whose id, with the
 * instance's, the logs show (MDC).
 *
 * <p>With spans exported ({@link Tracing#exporting()}), each record's processing is a span, the
 * child of the record's trace context, else of the instance's. Without, no span is started: the
 * trace context is carried on as it came, its header's bytes copied, since a span nobody records
 * would cost every hop of the loop a parse, an id and a format for nothing (measured in
 * docs/benchmarks.md, "Telemetry on the hot path").
 */
public final class Telemetry {

    /** The Streams setting under which the exception handlers find the metrics. */
    public static final String CONFIG = "loopline.telemetry";

    /** MDC keys: what each log line of a record's processing names. */
    public static final String INSTANCE_ID = "instance_id";

    public static final String DEFINITION_ID = "definition_id";
    public static final String MESSAGE_ID = "message_id";
    public static final String TRACE_ID = "trace_id";
    public static final String SPAN_ID = "span_id";

    private static final String TRACE_PARENT = "traceparent";
    private static final String TRACE_STATE = "tracestate";
    /** {@code 00-<32 hex trace id>-<16 hex span id>-<2 hex flags>}. */
    private static final int TRACE_PARENT_LENGTH = 55;

    private final LoopMetrics metrics;
    private final Tracer tracer;
    private final boolean spans;

    public Telemetry(MeterRegistry registry, Tracing tracing) {
        this.metrics = new LoopMetrics(registry);
        this.tracer = tracing.tracer();
        this.spans = tracing.exporting();
    }

    /** Records nothing and only carries trace context on: for tests and tools. */
    public static Telemetry none() {
        return new Telemetry(new CompositeMeterRegistry(), Tracing.propagating());
    }

    public LoopMetrics metrics() {
        return metrics;
    }

    /** The metrics of the telemetry in a process's Streams settings ({@link #CONFIG}); none without. */
    static LoopMetrics metricsIn(Map<String, ?> configs) {
        return configs.get(CONFIG) instanceof Telemetry telemetry ? telemetry.metrics() : none().metrics();
    }

    /**
     * Begins the processing of one record named {@code name}, in the trace of {@code headers} when
     * they carry one, else of {@code storedTraceParent} (the instance's), else (with spans) a new one.
     */
    Work begin(String name, Headers headers, String storedTraceParent) {
        if (!spans) {
            byte[] parent = value(headers, TRACE_PARENT);
            byte[] state = parent == null ? null : value(headers, TRACE_STATE);
            if (parent == null && storedTraceParent != null) {
                parent = storedTraceParent.getBytes(StandardCharsets.UTF_8);
            }
            return new Work(null, null, parent, state);
        }
        Context parent = Tracing.extract(headers);
        if (!Span.fromContext(parent).getSpanContext().isValid()) {
            parent = Tracing.fromTraceParent(storedTraceParent);
        }
        Span span = tracer.spanBuilder(name)
                .setParent(parent)
                .setSpanKind(SpanKind.CONSUMER)
                .startSpan();
        return new Work(span, parent.with(span), null, null);
    }

    /** A well-formed {@code traceparent}'s bytes (or any {@code tracestate}'s), or null. */
    private static byte[] value(Headers headers, String name) {
        Header header = headers == null ? null : headers.lastHeader(name);
        byte[] value = header == null ? null : header.value();
        if (value == null || (name.equals(TRACE_PARENT) && !wellFormed(value))) {
            return null;
        }
        return value;
    }

    private static boolean wellFormed(byte[] traceParent) {
        return traceParent.length == TRACE_PARENT_LENGTH
                && traceParent[2] == '-'
                && traceParent[35] == '-'
                && traceParent[52] == '-';
    }

    /** The processing of one record; closing it ends its span, if it has one, and clears the MDC. */
    static final class Work implements AutoCloseable {

        private final Span span;
        private final Context context;
        private final byte[] traceParent;
        private final byte[] traceState;

        private Work(Span span, Context context, byte[] traceParent, byte[] traceState) {
            this.span = span;
            this.context = context;
            this.traceParent = traceParent;
            this.traceState = traceState;
            if (span != null) {
                SpanContext ids = span.getSpanContext();
                if (ids.isValid()) {
                    MDC.put(TRACE_ID, ids.getTraceId());
                    MDC.put(SPAN_ID, ids.getSpanId());
                }
            } else if (traceParent != null) {
                MDC.put(TRACE_ID, new String(traceParent, 3, 32, StandardCharsets.US_ASCII));
            }
        }

        /** Names the instance (and its definition) in the span and the logs. */
        Work instance(String instanceId, String definitionId) {
            if (instanceId != null) {
                MDC.put(INSTANCE_ID, instanceId);
                if (span != null) {
                    span.setAttribute("loopline.instance.id", instanceId);
                }
            }
            if (definitionId != null) {
                MDC.put(DEFINITION_ID, definitionId);
                if (span != null) {
                    span.setAttribute("loopline.definition.id", definitionId);
                }
            }
            return this;
        }

        Work message(String messageId) {
            if (messageId != null) {
                MDC.put(MESSAGE_ID, messageId);
                if (span != null) {
                    span.setAttribute("loopline.message.id", messageId);
                }
            }
            return this;
        }

        /** New headers for a record this work writes: its trace context. */
        Headers headers() {
            RecordHeaders headers = new RecordHeaders();
            if (context != null) {
                Tracing.inject(context, headers);
            } else if (traceParent != null) {
                headers.add(TRACE_PARENT, traceParent);
                if (traceState != null) {
                    headers.add(TRACE_STATE, traceState);
                }
            }
            return headers;
        }

        /** This work's {@code traceparent}, which a new instance keeps for the work of its later inputs. */
        String traceParent() {
            if (context != null) {
                return Tracing.traceParent(context);
            }
            return traceParent == null ? null : new String(traceParent, StandardCharsets.US_ASCII);
        }

        @Override
        public void close() {
            if (span != null) {
                span.end();
            }
            MDC.remove(TRACE_ID);
            MDC.remove(SPAN_ID);
            MDC.remove(INSTANCE_ID);
            MDC.remove(DEFINITION_ID);
            MDC.remove(MESSAGE_ID);
        }
    }
}
