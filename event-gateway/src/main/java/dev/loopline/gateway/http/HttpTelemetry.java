package dev.loopline.gateway.http;

import dev.loopline.observability.LooplineMetrics;
import dev.loopline.observability.Tracing;
import io.javalin.http.Context;
import io.javalin.router.Endpoint;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.MDC;

/**
 * Each request's span and its entry in {@code loopline_http_requests_seconds}. The span is the
 * child of the request's {@code traceparent}, or the first of a new trace; it is current while the
 * request is handled, so every record the request writes carries it on ({@code Producers}), and
 * its ids are in the logs (MDC). Requests Jetty refuses before Javalin sees them (a body too slow,
 * no turn in time) are not counted here.
 */
final class HttpTelemetry {

    private static final String SPAN = "loopline.span";
    private static final String SCOPE = "loopline.scope";

    private final Tracer tracer;
    private final MeterRegistry registry;

    HttpTelemetry(Tracing tracing, MeterRegistry registry) {
        this.tracer = tracing.tracer();
        this.registry = registry;
    }

    /** A {@code before} handler, first of all: the request's span begins and becomes current. */
    void begin(Context ctx) {
        Map<String, String> carrier = new HashMap<>();
        for (String header : Tracing.HEADERS) {
            String value = ctx.header(header);
            if (value != null) {
                carrier.put(header, value);
            }
        }
        io.opentelemetry.context.Context parent = Tracing.extract(carrier);
        Span span = tracer.spanBuilder("HTTP " + ctx.method().name())
                .setParent(parent)
                .setSpanKind(SpanKind.SERVER)
                .startSpan();
        ctx.attribute(SPAN, span);
        ctx.attribute(SCOPE, parent.with(span).makeCurrent());
        SpanContext ids = span.getSpanContext();
        if (ids.isValid()) {
            MDC.put("trace_id", ids.getTraceId());
            MDC.put("span_id", ids.getSpanId());
        }
    }

    /** The request logger: counts the request by its route and status, and ends its span. */
    void end(Context ctx, Float millis) {
        Endpoint endpoint = ctx.endpoints().matchedHttpEndpoint();
        String route = endpoint == null ? "unmatched" : endpoint.path;
        int status = ctx.statusCode();
        LooplineMetrics.HTTP_REQUESTS
                .timer(registry, ctx.method().name(), route, Integer.toString(status))
                .record((long) (millis * 1_000_000), TimeUnit.NANOSECONDS);
        if (ctx.attribute(SPAN) instanceof Span span) {
            span.updateName(ctx.method().name() + " " + route);
            span.setAttribute("http.route", route);
            span.setAttribute("http.response.status_code", status);
            span.end();
        }
        if (ctx.attribute(SCOPE) instanceof Scope scope) {
            scope.close();
        }
        MDC.remove("trace_id");
        MDC.remove("span_id");
    }
}
