package dev.loopline.runtime.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loopline.api.v1.WorkflowMessage;
import dev.loopline.observability.Tracing;
import dev.loopline.runtime.domain.Fixtures;
import dev.loopline.runtime.domain.InstanceIds;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;

/**
 * What the runtime reports while the message loop runs: its metrics, and the trace context that
 * every record of an instance carries on from the event that started it.
 */
class LoopTelemetryTest extends TopologyHarness {

    private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String TRACE_PARENT = "00-" + TRACE_ID + "-00f067aa0ba902b7-01";

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @Override
    protected Telemetry telemetry() {
        return new Telemetry(registry, Tracing.propagating());
    }

    @Override
    protected Instant wallClockStart() {
        return Fixtures.T0;
    }

    @Test
    void shouldCountTheStartTheCompletionAndEachRoundTripOfTheLoop() {
        // given
        definitions().activateExpenseApproval();

        // when: an event starts an instance, and both its messages are answered 3 s after they were posted
        events().at(Fixtures.T0).publish(Fixtures.expenseSubmitted("event-1", "report-1"));
        acks().at(Fixtures.T0.plusSeconds(3)).succeedNext();
        acks().at(Fixtures.T0.plusSeconds(6)).succeedNext();

        // then
        assertThat(registry.get("loopline.instances.started")
                        .tag("definition", "expense-approval")
                        .counter()
                        .count())
                .isEqualTo(1);
        assertThat(registry.get("loopline.instances.completed")
                        .tag("definition", "expense-approval")
                        .tag("status", "succeeded")
                        .counter()
                        .count())
                .isEqualTo(1);
        var startedRoundTrip = registry.get("loopline.message.round.trip")
                .tag("message", "WorkflowStarted")
                .timer();
        var approvalRoundTrip = registry.get("loopline.message.round.trip")
                .tag("message", "RequestApproval")
                .timer();
        assertThat(startedRoundTrip.count()).isEqualTo(1);
        assertThat(startedRoundTrip.totalTime(java.util.concurrent.TimeUnit.SECONDS))
                .isEqualTo(3);
        assertThat(approvalRoundTrip.count()).isEqualTo(1);
        assertThat(approvalRoundTrip.totalTime(java.util.concurrent.TimeUnit.SECONDS))
                .isEqualTo(3);
        assertThat(registry.get("loopline.step.duration")
                        .tag("kind", "send-message")
                        .timer()
                        .count())
                .isEqualTo(1);
    }

    @Test
    void shouldCountDeadLettersByTheirReason() {
        // when: an event that cannot be read, and an acknowledgement of a step of no instance
        events().publishRaw("report-1", "not an event".getBytes(StandardCharsets.UTF_8));
        acks().send(answer("nobody", "nobody/step-0").setReplyToken("token").build());

        // then
        assertThat(recorded().deadLetters()).hasSize(1); // the driver writes only the processor's
        assertThat(registry.get("loopline.dead.letters")
                        .tag("reason", "unreadable")
                        .counter()
                        .count())
                .isEqualTo(1);
        assertThat(registry.get("loopline.dead.letters")
                        .tag("reason", "rejected")
                        .counter()
                        .count())
                .isEqualTo(1);
    }

    @Test
    void shouldCarryTheEventsTraceToEveryMessageAndTransitionOfItsInstance() {
        // given
        definitions().activateExpenseApproval();
        Headers traced = new RecordHeaders().add("traceparent", TRACE_PARENT.getBytes(StandardCharsets.UTF_8));

        // when: the event carries a trace; its acknowledgements carry none (a client that does not copy it)
        events().at(Fixtures.T0).publish(Fixtures.expenseSubmitted("event-1", "report-1"), traced);
        acks().at(Fixtures.T0.plusSeconds(1)).succeedNext();
        clock().advance(Duration.ofSeconds(1));

        // then: the instance keeps the trace of its start, and everything it writes is in it
        List<TestRecord<String, WorkflowMessage>> posted = recorded().messageRecords();
        var changes = recorded().transitionRecords();
        assertThat(posted).hasSize(2);
        assertThat(changes).hasSizeGreaterThan(3);
        posted.forEach(record -> assertThat(traceId(record.headers())).isEqualTo(TRACE_ID));
        changes.forEach(record -> assertThat(traceId(record.headers())).isEqualTo(TRACE_ID));
        assertThat(storedInstance(InstanceIds.instanceId("event-1", "expense-approval"))
                        .getTraceParent())
                .contains(TRACE_ID);
    }

    private static String traceId(Headers headers) {
        Header header = headers.lastHeader("traceparent");
        assertThat(header).as("traceparent").isNotNull();
        return new String(header.value(), StandardCharsets.UTF_8).split("-")[1];
    }
}
