package dev.loopline.runtime.topology;

import static dev.loopline.runtime.topology.LooplineTopology.CORRELATION_BUFFER_STORE;
import static dev.loopline.runtime.topology.LooplineTopology.CORRELATION_WAITS_STORE;
import static dev.loopline.runtime.topology.LooplineTopology.TIMERS_STORE;
import static org.assertj.core.api.Assertions.assertThat;

import dev.loopline.api.v1.AckError;
import dev.loopline.api.v1.PlatformEvent;
import dev.loopline.api.v1.WorkflowDefinition;
import dev.loopline.api.v1.WorkflowMessage;
import dev.loopline.definition.EventWaits;
import dev.loopline.runtime.domain.InstanceIds;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Timers (driven by TopologyTestDriver's wall-clock advance) and correlation (fan-out, early events
 * buffered for the TTL, deduplication, index cleanup) through the whole topology.
 */
class TimersAndCorrelationTest extends TopologyHarness {

    private static final Instant START = Instant.parse("2026-11-21T10:00:00Z");
    private static final Duration TTL = Duration.ofMinutes(10);

    @Override
    protected Map<String, String> settings() {
        return Map.of("LOOPLINE_CORRELATION_TTL", TTL.toString(), "LOOPLINE_TIMER_INTERVAL", "PT0.1S");
    }

    @Override
    protected Instant wallClockStart() {
        return START;
    }

    @Nested
    class Timers {

        @Test
        void shouldFireADelayOnceWhenItsTimeComes() {
            // given
            definitions().deploy("""
                    {"name":"pause","kind":"delay","duration":"PT30S"},
                    {"name":"after","kind":"send-message","messageName":"After"}""");
            String instance = startAndAcknowledgeStarted("e-1", "r-1");

            // when
            clock().advance(Duration.ofSeconds(29));
            assertThat(recorded().stepMessages()).isEmpty();
            clock().advance(Duration.ofSeconds(2));
            clock().advance(Duration.ofSeconds(60));

            // then
            assertThat(recorded().stepMessages()).singleElement().satisfies(m -> {
                assertThat(m.getMessageName()).isEqualTo("After");
                assertThat(m.getInstanceId()).isEqualTo(instance);
            });
            assertThat(store(TIMERS_STORE)).isEmpty();
        }

        @Test
        void shouldTakeTheTimeoutBranchOfAWaitOnceAndCloseItsCorrelationEntry() {
            // given
            definitions().deploy("""
                    {"name":"payment","kind":"wait-for-event",
                     "event":{"entityType":"payment","messageName":"Received","key":"trigger.entityId"},
                     "timeout":"PT1M","onTimeout":[{"name":"remind","kind":"send-message","messageName":"Remind"}]}""");
            startAndAcknowledgeStarted("e-1", "r-1");
            assertThat(store(CORRELATION_WAITS_STORE)).hasSize(1);

            // when
            clock().advance(Duration.ofMinutes(2));
            clock().advance(Duration.ofMinutes(2));

            // then
            assertThat(recorded().stepMessages())
                    .extracting(WorkflowMessage::getMessageName)
                    .containsExactly("Remind");
            assertThat(store(CORRELATION_WAITS_STORE)).isEmpty();
        }

        @Test
        void shouldRemoveTheTimerWhenTheWaitEndsFirst() {
            // given
            definitions().deploy("""
                    {"name":"approval","kind":"send-message","messageName":"Approve","timeout":"PT1H"}""");
            String instance = startAndAcknowledgeStarted("e-1", "r-1");
            assertThat(store(TIMERS_STORE)).hasSize(1);

            // when
            acks().at(START.plusSeconds(1)).succeed(instance, InstanceIds.stepMessageId(instance, 0));
            clock().advance(Duration.ofHours(2));

            // then
            assertThat(store(TIMERS_STORE))
                    .as("only the retention timer is left")
                    .singleElement()
                    .satisfies(timer -> assertThat(timer.key)
                            .startsWith(String.format(
                                    "%016x",
                                    START.plusSeconds(1)
                                            .plus(Duration.ofDays(30))
                                            .toEpochMilli())));
            assertThat(recorded().statusCodes()).endsWith(30).doesNotContain(31);
        }

        @Test
        void shouldDeleteSucceededInstancesWhenTheirRetentionEndsButKeepFailedOnes() {
            // given
            definitions().deploy("""
                    {"name":"approval","kind":"send-message","messageName":"Approve"}""");
            String succeeded = startAndAcknowledgeStarted("e-1", "r-1");
            acks().at(START.plusSeconds(1)).succeed(succeeded, InstanceIds.stepMessageId(succeeded, 0));
            String failed = startAndAcknowledgeStarted("e-2", "r-2");
            acks().at(START.plusSeconds(2))
                    .fail(
                            failed,
                            InstanceIds.stepMessageId(failed, 0),
                            AckError.newBuilder()
                                    .setCode("Rejected")
                                    .setMessage("no")
                                    .setCategory("validation")
                                    .build());
            Recording afterwards = recorded().fromNowOn();

            // when
            clock().advance(Duration.ofDays(31));

            // then
            assertThat(storedInstance(succeeded)).as("succeeded: deleted").isNull();
            assertThat(storedInstance(failed))
                    .as("suspended after its failure: kept")
                    .isNotNull();
            assertThat(afterwards.transitionRecords()).singleElement().satisfies(tombstone -> {
                assertThat(tombstone.key()).isEqualTo(succeeded);
                assertThat(tombstone.value()).isNull();
            });
        }
    }

    @Nested
    class Correlation {

        private static final String WAIT_FOR_PAYMENT = """
                {"name":"payment","kind":"wait-for-event",
                 "event":{"entityType":"payment","messageName":"Received","keyField":"orderId","key":"trigger.attributes.orderId"}},
                {"name":"thanks","kind":"send-message","messageName":"Thanks","payload":{"paid":"=steps.payment.amount"}}""";

        @Test
        void shouldDeliverOneEventToEveryInstanceWaitingForIt() {
            // given
            definitions().deploy(WAIT_FOR_PAYMENT);
            List<String> waiting = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                waiting.add(startAndAcknowledgeStarted("e-" + i, "r-" + i, Map.of("orderId", "order-9")));
            }

            // when
            events().at(START.plusSeconds(5)).publish(payment("p-1", "order-9"));

            // then
            assertThat(recorded().messages())
                    .filteredOn(m -> m.getMessageName().equals("Thanks"))
                    .extracting(WorkflowMessage::getInstanceId)
                    .containsExactlyInAnyOrderElementsOf(waiting);
            assertThat(store(CORRELATION_WAITS_STORE)).isEmpty();
        }

        @Test
        void shouldCorrelateWhatAnEarlierVersionWaitsForAtTheCostOfOneCommandAndItsBufferedCopy() {
            // given: an instance of version 1 waits for a payment, and version 2 waits for none
            WorkflowDefinition v1 = definitions().deploy(WAIT_FOR_PAYMENT);
            String waiting = startAndAcknowledgeStarted("e-1", "r-1", Map.of("orderId", "order-9"));
            WorkflowDefinition v2 = WorkflowDefinition.newBuilder(definitions().deploy("""
                            {"name":"thanks","kind":"send-message","messageName":"Thanks"}"""))
                    .setVersion(2)
                    .build();
            definitions()
                    .publish(WorkflowDefinition.newBuilder(v2)
                            .setEarlierWaits(EventWaits.carried(List.of(v1), v2))
                            .build());
            Recording afterEdit = recorded().fromNowOn();

            // when: its payment, and a payment nobody waits for any more
            events().at(START.plusSeconds(5)).publish(payment("p-1", "order-9"));
            Recording unwaited = recorded().fromNowOn();
            events().at(START.plusSeconds(6)).publish(payment("p-2", "order-10"));

            // then: version 1's instance goes on
            assertThat(afterEdit.messages())
                    .filteredOn(m -> m.getMessageName().equals("Thanks"))
                    .extracting(WorkflowMessage::getInstanceId)
                    .containsExactly(waiting);
            // and an event of a shape only an earlier version waits for costs one correlation
            // command and its buffered copy (with its expiry entry), deleted after the TTL
            Map<String, Integer> cost = unwaited.recordsPerTopic();
            System.out.println("records for an event of a dropped shape nobody waits for: " + cost);
            assertThat(cost.entrySet().stream()
                            .filter(topic -> topic.getValue() > 0)
                            .map(topic -> topic.getKey().replaceAll("^.*(correlation-[a-z-]+|events).*$", "$1"))
                            .toList())
                    .containsExactlyInAnyOrder(
                            "correlation-commands", "correlation-buffer-changelog", "correlation-expiry-changelog");
            assertThat(cost.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(3);
        }

        @Test
        void shouldBufferAnEarlyEventAndDeliverItWhenTheWaitOpens() {
            // given
            definitions().deploy(WAIT_FOR_PAYMENT);
            events().at(START).publish(payment("p-1", "order-9"));

            // when
            startAndAcknowledgeStarted("e-1", "r-1", Map.of("orderId", "order-9"));

            // then
            assertThat(recorded().messages())
                    .extracting(WorkflowMessage::getMessageName)
                    .contains("Thanks");
        }

        @Test
        void shouldForgetABufferedEventAfterItsTtl() {
            // given
            definitions().deploy(WAIT_FOR_PAYMENT);
            events().at(START).publish(payment("p-1", "order-9"));
            assertThat(store(CORRELATION_BUFFER_STORE)).hasSize(1);

            // when
            clock().advance(TTL.plusMinutes(1));
            startAndAcknowledgeStarted(
                    "e-1", "r-1", Map.of("orderId", "order-9"), START.plus(TTL).plus(Duration.ofMinutes(2)));

            // then
            assertThat(store(CORRELATION_BUFFER_STORE)).isEmpty();
            assertThat(recorded().messages())
                    .extracting(WorkflowMessage::getMessageName)
                    .doesNotContain("Thanks");
            assertThat(store(CORRELATION_WAITS_STORE)).hasSize(1);
        }

        @Test
        void shouldDeliverTheSameEventOnlyOnce() {
            // given
            definitions().deploy("""
                    {"name":"payment","kind":"wait-for-event",
                     "event":{"entityType":"payment","messageName":"Received","keyField":"orderId","key":"trigger.attributes.orderId"}},
                    {"name":"again","kind":"wait-for-event",
                     "event":{"entityType":"payment","messageName":"Received","keyField":"orderId","key":"trigger.attributes.orderId"}},
                    {"name":"thanks","kind":"send-message","messageName":"Thanks"}""");
            startAndAcknowledgeStarted("e-1", "r-1", Map.of("orderId", "order-9"));

            // when
            events().at(START.plusSeconds(5)).publish(payment("p-1", "order-9"));
            events().at(START.plusSeconds(6)).publish(payment("p-1", "order-9"));

            // then
            assertThat(recorded().messages())
                    .extracting(WorkflowMessage::getMessageName)
                    .doesNotContain("Thanks");
            Recording afterTheSecondPayment = recorded().fromNowOn();
            events().at(START.plusSeconds(7)).publish(payment("p-2", "order-9"));
            assertThat(afterTheSecondPayment.messages())
                    .extracting(WorkflowMessage::getMessageName)
                    .containsExactly("Thanks");
        }
    }

    @Nested
    class SequentialWaits {

        /**
         * Two waits in a row on the same key; both events arrive before the first wait opens, the
         * second one with the smaller id. Arrival order must win, and the event the first wait
         * passed over must still reach the second wait.
         */
        @Test
        void shouldGiveEachBufferedEventToTheWaitThatNeedsItInArrivalOrder() {
            // given
            definitions().deploy("""
                    {"name":"approved","kind":"wait-for-event","until":"event.attributes.status == 'approved'",
                     "event":{"entityType":"order","messageName":"Update","key":"trigger.entityId"}},
                    {"name":"shipped","kind":"wait-for-event","until":"event.attributes.status == 'shipped'",
                     "event":{"entityType":"order","messageName":"Update","key":"trigger.entityId"}},
                    {"name":"done","kind":"send-message","messageName":"Done"}""");
            events().at(START).publish(update("z-first", "r-1", "approved"));
            events().at(START.plusSeconds(1)).publish(update("a-second", "r-1", "shipped"));

            // when
            startAndAcknowledgeStarted("e-1", "r-1", Map.of(), START.plusSeconds(2));

            // then
            assertThat(recorded().stepMessages())
                    .extracting(WorkflowMessage::getMessageName)
                    .containsExactly("Done");
            assertThat(store(CORRELATION_WAITS_STORE)).isEmpty();
        }

        private PlatformEvent update(String eventId, String orderId, String status) {
            return PlatformEvent.newBuilder()
                    .setEventId(eventId)
                    .setSource("erp")
                    .setEntityType("order")
                    .setEntityId(orderId)
                    .setMessageName("Update")
                    .setAttributes(Map.of("status", status))
                    .setOccurredAt(START)
                    .build();
        }
    }

    private String startAndAcknowledgeStarted(String eventId, String orderId) {
        return startAndAcknowledgeStarted(eventId, orderId, Map.of());
    }

    private String startAndAcknowledgeStarted(String eventId, String orderId, Map<String, Object> attributes) {
        return startAndAcknowledgeStarted(eventId, orderId, attributes, START);
    }

    /** Creates an order, which starts the deployed flow, and acknowledges its "workflow started" message. */
    private String startAndAcknowledgeStarted(
            String eventId, String orderId, Map<String, Object> attributes, Instant at) {
        events().at(at)
                .publish(PlatformEvent.newBuilder()
                        .setEventId(eventId)
                        .setSource("erp")
                        .setEntityType("order")
                        .setEntityId(orderId)
                        .setMessageName("Create")
                        .setAttributes(attributes)
                        .setOccurredAt(at)
                        .build());
        String instance = InstanceIds.instanceId(eventId, FLOW);
        acks().at(at).acknowledgeStarted(instance);
        return instance;
    }

    private static PlatformEvent payment(String eventId, String orderId) {
        return PlatformEvent.newBuilder()
                .setEventId(eventId)
                .setSource("bank")
                .setEntityType("payment")
                .setEntityId(eventId)
                .setMessageName("Received")
                .setAttributes(Map.of("orderId", orderId, "amount", 120L))
                .setOccurredAt(START)
                .build();
    }
}
