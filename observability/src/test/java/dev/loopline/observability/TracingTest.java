package dev.loopline.observability;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

class TracingTest {

    private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String TRACE_PARENT = "00-" + TRACE_ID + "-00f067aa0ba902b7-01";

    @Test
    void shouldCarryTheTraceContextThroughKafkaHeaders() {
        Headers headers = new RecordHeaders().add("traceparent", TRACE_PARENT.getBytes(StandardCharsets.UTF_8));

        Context context = Tracing.extract(headers);
        RecordHeaders written = new RecordHeaders();
        Tracing.inject(context, written);

        assertThat(Tracing.traceId(context)).isEqualTo(TRACE_ID);
        assertThat(new String(written.lastHeader("traceparent").value(), StandardCharsets.UTF_8))
                .isEqualTo(TRACE_PARENT);
        assertThat(Tracing.traceParent(Tracing.fromTraceParent(TRACE_PARENT))).isEqualTo(TRACE_PARENT);
        assertThat(Tracing.traceId(Tracing.fromTraceParent("garbage"))).isNull();
        assertThat(Tracing.traceId(Tracing.extract(new RecordHeaders()))).isNull();
    }

    @Test
    void shouldStartUnsampledTracesWithIdsWhenNothingIsExported() {
        try (Tracing tracing = Tracing.open("loopline-test", Map.of())) {
            Span span = tracing.tracer().spanBuilder("work").startSpan();
            span.end();

            assertThat(span.getSpanContext().isValid()).isTrue();
            assertThat(span.getSpanContext().isSampled()).isFalse();
            assertThat(span.isRecording()).isFalse();
        }
    }

    @Test
    void shouldExportSpansOverOtlpWhenAnEndpointIsSet() throws Exception {
        List<byte[]> received = new CopyOnWriteArrayList<>();
        HttpServer collector = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        collector.createContext("/v1/traces", exchange -> {
            received.add(exchange.getRequestBody().readAllBytes());
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        collector.start();
        try {
            String child;
            try (Tracing tracing = Tracing.open(
                    "loopline-test",
                    Map.of(
                            "OTEL_EXPORTER_OTLP_ENDPOINT",
                            "http://127.0.0.1:" + collector.getAddress().getPort()))) {
                Span span = tracing.tracer()
                        .spanBuilder("loopline acknowledgement")
                        .setParent(Tracing.fromTraceParent(TRACE_PARENT))
                        .startSpan();
                child = span.getSpanContext().getSpanId();
                span.end();
            } // closing flushes the batch

            assertThat(received).isNotEmpty();
            byte[] body = received.get(0);
            assertThat(contains(body, HexFormat.of().parseHex(TRACE_ID))).isTrue();
            assertThat(contains(body, HexFormat.of().parseHex(child))).isTrue();
            assertThat(contains(body, "loopline acknowledgement".getBytes(StandardCharsets.UTF_8)))
                    .isTrue();
        } finally {
            collector.stop(0);
        }
    }

    private static boolean contains(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
