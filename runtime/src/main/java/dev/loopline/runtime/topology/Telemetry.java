package dev.loopline.runtime.topology;

import dev.loopline.observability.Tracing;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import java.util.Map;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.slf4j.MDC;

/**
 * What the processors report while they work: Loopline's metrics ({@link LoopMetrics}), and for each
 * record a span in the trace the record or its instance belongs to, whose context the records it
 * writes carry on, and whose ids, with the instance's, the logs show (MDC).
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

    private final LoopMetrics metrics;
    private final Tracer tracer;

    public Telemetry(MeterRegistry registry, Tracing tracing) {
        this.metrics = new LoopMetrics(registry);
        this.tracer = tracing.tracer();
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
     * Begins the processing of one record: a span named {@code name}, the child of {@code headers}'
     * trace context when they carry one, else of {@code storedTraceParent} (the instance's), else
     * the first of a new trace.
     */
    Work begin(String name, Headers headers, String storedTraceParent) {
        Context parent = Tracing.extract(headers);
        if (!Span.fromContext(parent).getSpanContext().isValid()) {
            parent = Tracing.fromTraceParent(storedTraceParent);
        }
        Span span = tracer.spanBuilder(name)
                .setParent(parent)
                .setSpanKind(SpanKind.CONSUMER)
                .startSpan();
        return new Work(span, parent.with(span));
    }

    /** The processing of one record; closing it ends the span and clears the MDC. */
    static final class Work implements AutoCloseable {

        private final Span span;
        private final Context context;

        private Work(Span span, Context context) {
            this.span = span;
            this.context = context;
            SpanContext ids = span.getSpanContext();
            if (ids.isValid()) {
                MDC.put(TRACE_ID, ids.getTraceId());
                MDC.put(SPAN_ID, ids.getSpanId());
            }
        }

        /** Names the instance (and its definition) in the span and the logs. */
        Work instance(String instanceId, String definitionId) {
            if (instanceId != null) {
                MDC.put(INSTANCE_ID, instanceId);
                span.setAttribute("loopline.instance.id", instanceId);
            }
            if (definitionId != null) {
                MDC.put(DEFINITION_ID, definitionId);
                span.setAttribute("loopline.definition.id", definitionId);
            }
            return this;
        }

        Work message(String messageId) {
            if (messageId != null) {
                MDC.put(MESSAGE_ID, messageId);
                span.setAttribute("loopline.message.id", messageId);
            }
            return this;
        }

        /** New headers for a record this work writes: its trace context. */
        Headers headers() {
            RecordHeaders headers = new RecordHeaders();
            Tracing.inject(context, headers);
            return headers;
        }

        /** This work's {@code traceparent}, which a new instance keeps for the work of its later inputs. */
        String traceParent() {
            return Tracing.traceParent(context);
        }

        @Override
        public void close() {
            span.end();
            MDC.remove(TRACE_ID);
            MDC.remove(SPAN_ID);
            MDC.remove(INSTANCE_ID);
            MDC.remove(DEFINITION_ID);
            MDC.remove(MESSAGE_ID);
        }
    }
}
