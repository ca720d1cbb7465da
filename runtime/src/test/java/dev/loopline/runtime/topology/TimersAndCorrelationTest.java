package dev.loopline.runtime.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loopline.api.v1.Acknowledgement;
import dev.loopline.api.v1.DefinitionStatus;
import dev.loopline.api.v1.InstanceTransition;
import dev.loopline.api.v1.Outcome;
import dev.loopline.api.v1.PlatformEvent;
import dev.loopline.api.v1.WorkflowDefinition;
import dev.loopline.api.v1.WorkflowMessage;
import dev.loopline.definition.DefinitionCompiler;
import dev.loopline.runtime.domain.Fixtures;
import dev.loopline.runtime.domain.InstanceIds;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueStore;
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
            deploy("""
                    {"name":"pause","kind":"delay","duration":"PT30S"},
                    {"name":"after","kind":"send-message","messageName":"After"}""");
            String instance = startAndAcknowledgeStarted("e-1", "r-1");

            driver.advanceWallClockTime(Duration.ofSeconds(29));
            assertThat(stepMessages()).isEmpty();
            driver.advanceWallClockTime(Duration.ofSeconds(2));
            driver.advanceWallClockTime(Duration.ofSeconds(60));

            assertThat(stepMessages()).singleElement().satisfies(m -> {
                assertThat(m.getMessageName()).isEqualTo("After");
                assertThat(m.getInstanceId()).isEqualTo(instance);
            });
            assertThat(timers()).isEmpty();
        }

        @Test
        void shouldTakeTheTimeoutBranchOfAWaitOnceAndCloseItsCorrelationEntry() {
            deploy("""
                    {"name":"payment","kind":"wait-for-event",
                     "event":{"entityType":"payment","messageName":"Received","key":"trigger.entityId"},
                     "timeout":"PT1M","onTimeout":[{"name":"remind","kind":"send-message","messageName":"Remind"}]}""");
            startAndAcknowledgeStarted("e-1", "r-1");
            assertThat(correlationWaits()).hasSize(1);

            driver.advanceWallClockTime(Duration.ofMinutes(2));
            driver.advanceWallClockTime(Duration.ofMinutes(2));

            assertThat(stepMessages())
                    .extracting(WorkflowMessage::getMessageName)
                    .containsExactly("Remind");
            assertThat(correlationWaits()).isEmpty();
        }

        @Test
        void shouldRemoveTheTimerWhenTheWaitEndsFirst() {
            deploy("""
                    {"name":"approval","kind":"send-message","messageName":"Approve","timeout":"PT1H"}""");
            String instance = startAndAcknowledgeStarted("e-1", "r-1");
            assertThat(timers()).hasSize(1);

            acknowledge(instance, InstanceIds.stepMessageId(instance, 0));
            driver.advanceWallClockTime(Duration.ofHours(2));

            assertThat(timers())
                    .as("only the retention timer is left")
                    .singleElement()
                    .satisfies(timer -> assertThat(timer.key)
                            .startsWith(String.format(
                                    "%016x",
                                    START.plusSeconds(1)
                                            .plus(Duration.ofDays(30))
                                            .toEpochMilli())));
            assertThat(statusCodes()).endsWith(30).doesNotContain(31);
        }

        @Test
        void shouldDeleteSucceededInstancesWhenTheirRetentionEndsButKeepFailedOnes() {
            deploy("""
                    {"name":"approval","kind":"send-message","messageName":"Approve"}""");
            String succeeded = startAndAcknowledgeStarted("e-1", "r-1");
            acknowledge(succeeded, InstanceIds.stepMessageId(succeeded, 0));
            String failed = startAndAcknowledgeStarted("e-2", "r-2");
            acks.pipeInput(
                    failed,
                    Acknowledgement.newBuilder()
                            .setMessageId(InstanceIds.stepMessageId(failed, 0))
                            .setReplyToken(Fixtures.TOKEN)
                            .setInstanceId(failed)
                            .setOutcome(Outcome.FAILED)
                            .setError(dev.loopline.api.v1.AckError.newBuilder()
                                    .setCode("Rejected")
                                    .setMessage("no")
                                    .setCategory("validation")
                                    .build())
                            .build(),
                    START.plusSeconds(2));
            transitions.readRecordsToList();

            driver.advanceWallClockTime(Duration.ofDays(31));

            KeyValueStore<String, Object> instances = driver.getKeyValueStore(LooplineTopology.INSTANCES_STORE);
            assertThat(instances.get(succeeded)).as("succeeded: deleted").isNull();
            assertThat(instances.get(failed))
                    .as("suspended after its failure: kept")
                    .isNotNull();
            assertThat(transitions.readRecordsToList()).singleElement().satisfies(tombstone -> {
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
            deploy(WAIT_FOR_PAYMENT);
            List<String> waiting = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                waiting.add(startAndAcknowledgeStarted("e-" + i, "r-" + i, Map.of("orderId", "order-9")));
            }

            events.pipeInput("pay-1", payment("p-1", "order-9"), START.plusSeconds(5));

            assertThat(messages.readValuesToList())
                    .filteredOn(m -> m.getMessageName().equals("Thanks"))
                    .extracting(WorkflowMessage::getInstanceId)
                    .containsExactlyInAnyOrderElementsOf(waiting);
            assertThat(correlationWaits()).isEmpty();
        }

        @Test
        void shouldBufferAnEarlyEventAndDeliverItWhenTheWaitOpens() {
            deploy(WAIT_FOR_PAYMENT);
            events.pipeInput("pay-1", payment("p-1", "order-9"), START);

            startAndAcknowledgeStarted("e-1", "r-1", Map.of("orderId", "order-9"));

            assertThat(messages.readValuesToList())
                    .extracting(WorkflowMessage::getMessageName)
                    .contains("Thanks");
        }

        @Test
        void shouldForgetABufferedEventAfterItsTtl() {
            deploy(WAIT_FOR_PAYMENT);
            events.pipeInput("pay-1", payment("p-1", "order-9"), START);
            assertThat(buffer()).hasSize(1);

            driver.advanceWallClockTime(TTL.plusMinutes(1));
            startAndAcknowledgeStarted(
                    "e-1", "r-1", Map.of("orderId", "order-9"), START.plus(TTL).plus(Duration.ofMinutes(2)));

            assertThat(buffer()).isEmpty();
            assertThat(messages.readValuesToList())
                    .extracting(WorkflowMessage::getMessageName)
                    .doesNotContain("Thanks");
            assertThat(correlationWaits()).hasSize(1);
        }

        @Test
        void shouldDeliverTheSameEventOnlyOnce() {
            deploy("""
                    {"name":"payment","kind":"wait-for-event",
                     "event":{"entityType":"payment","messageName":"Received","keyField":"orderId","key":"trigger.attributes.orderId"}},
                    {"name":"again","kind":"wait-for-event",
                     "event":{"entityType":"payment","messageName":"Received","keyField":"orderId","key":"trigger.attributes.orderId"}},
                    {"name":"thanks","kind":"send-message","messageName":"Thanks"}""");
            startAndAcknowledgeStarted("e-1", "r-1", Map.of("orderId", "order-9"));

            events.pipeInput("pay-1", payment("p-1", "order-9"), START.plusSeconds(5));
            events.pipeInput("pay-1", payment("p-1", "order-9"), START.plusSeconds(6));

            assertThat(messages.readValuesToList())
                    .extracting(WorkflowMessage::getMessageName)
                    .doesNotContain("Thanks");
            events.pipeInput("pay-2", payment("p-2", "order-9"), START.plusSeconds(7));
            assertThat(messages.readValuesToList())
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
            deploy("""
                    {"name":"approved","kind":"wait-for-event","until":"event.attributes.status == 'approved'",
                     "event":{"entityType":"order","messageName":"Update","key":"trigger.entityId"}},
                    {"name":"shipped","kind":"wait-for-event","until":"event.attributes.status == 'shipped'",
                     "event":{"entityType":"order","messageName":"Update","key":"trigger.entityId"}},
                    {"name":"done","kind":"send-message","messageName":"Done"}""");
            events.pipeInput("r-1", update("z-first", "r-1", "approved"), START);
            events.pipeInput("r-1", update("a-second", "r-1", "shipped"), START.plusSeconds(1));

            startAndAcknowledgeStarted("e-1", "r-1", Map.of(), START.plusSeconds(2));

            assertThat(stepMessages())
                    .extracting(WorkflowMessage::getMessageName)
                    .containsExactly("Done");
            assertThat(correlationWaits()).isEmpty();
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

    // --- helpers ---

    private void deploy(String steps) {
        String document = """
                {"id":"flow","name":"flow","trigger":{"entityType":"order","messageName":"Create"},"steps":[%s]}""".formatted(steps);
        WorkflowDefinition definition = WorkflowDefinition.newBuilder(new DefinitionCompiler().compile(document, START))
                .setStatus(DefinitionStatus.ACTIVE)
                .setVersion(1)
                .build();
        definitions.pipeInput(definition.getId(), definition, START);
    }

    private String startAndAcknowledgeStarted(String eventId, String orderId) {
        return startAndAcknowledgeStarted(eventId, orderId, Map.of());
    }

    private String startAndAcknowledgeStarted(String eventId, String orderId, Map<String, Object> attributes) {
        return startAndAcknowledgeStarted(eventId, orderId, attributes, START);
    }

    private String startAndAcknowledgeStarted(
            String eventId, String orderId, Map<String, Object> attributes, Instant at) {
        PlatformEvent created = PlatformEvent.newBuilder()
                .setEventId(eventId)
                .setSource("erp")
                .setEntityType("order")
                .setEntityId(orderId)
                .setMessageName("Create")
                .setAttributes(attributes)
                .setOccurredAt(at)
                .build();
        events.pipeInput(orderId, created, at);
        String instance = InstanceIds.instanceId(eventId, "flow");
        acknowledge(instance, InstanceIds.startedMessageId(instance), at);
        return instance;
    }

    private void acknowledge(String instance, String messageId) {
        acknowledge(instance, messageId, START.plusSeconds(1));
    }

    private void acknowledge(String instance, String messageId, Instant at) {
        acks.pipeInput(
                instance,
                Acknowledgement.newBuilder()
                        .setMessageId(messageId)
                        .setReplyToken(Fixtures.TOKEN)
                        .setInstanceId(instance)
                        .setOutcome(Outcome.SUCCEEDED)
                        .setOutput(Map.of())
                        .build(),
                at);
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

    /** Messages other than "workflow started". */
    private List<WorkflowMessage> stepMessages() {
        return messages.readValuesToList().stream()
                .filter(m -> !m.getMessageName().equals("WorkflowStarted"))
                .toList();
    }

    private List<Integer> statusCodes() {
        return transitions.readValuesToList().stream()
                .map(InstanceTransition::getStatusCode)
                .toList();
    }

    private List<KeyValue<String, Object>> timers() {
        return entries(LooplineTopology.TIMERS_STORE);
    }

    private List<KeyValue<String, Object>> correlationWaits() {
        return entries(LooplineTopology.CORRELATION_WAITS_STORE);
    }

    private List<KeyValue<String, Object>> buffer() {
        return entries(LooplineTopology.CORRELATION_BUFFER_STORE);
    }

    private List<KeyValue<String, Object>> entries(String storeName) {
        KeyValueStore<String, Object> store = driver.getKeyValueStore(storeName);
        List<KeyValue<String, Object>> entries = new ArrayList<>();
        try (var iterator = store.all()) {
            iterator.forEachRemaining(entries::add);
        }
        return entries;
    }
}
