package dev.loopline.runtime.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loopline.api.internal.InstanceRecord;
import dev.loopline.api.internal.TokenQueue;
import dev.loopline.api.v1.Acknowledgement;
import dev.loopline.api.v1.DefinitionStatus;
import dev.loopline.api.v1.InstanceTransition;
import dev.loopline.api.v1.Outcome;
import dev.loopline.api.v1.WorkflowDefinition;
import dev.loopline.api.v1.WorkflowMessage;
import dev.loopline.runtime.domain.Fixtures;
import dev.loopline.runtime.domain.InstanceIds;
import dev.loopline.runtime.domain.InstanceMachine;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;

/** The topology on TopologyTestDriver, with the runtime's real Streams settings and an in-memory registry. */
class LooplineTopologyTest extends TopologyHarness {

    private static final Instant T0 = Fixtures.T0;

    @Override
    protected Instant wallClockStart() {
        return T0;
    }

    @Test
    void shouldStartAnInstanceForAnEventMatchingAnActiveDefinition() {
        // given
        activate();

        // when
        events.pipeInput("report-1", Fixtures.expenseSubmitted("event-1", "report-1"));

        // then
        String instanceId = InstanceIds.instanceId("event-1", "expense-approval");
        List<InstanceTransition> started = transitions.readValuesToList();
        assertThat(started).extracting(InstanceTransition::getStatusCode).containsExactly(0, 20, 10);
        assertThat(started).allSatisfy(t -> assertThat(t.getInstanceId()).isEqualTo(instanceId));
        assertThat(messages.readKeyValuesToList()).singleElement().satisfies(kv -> {
            assertThat(kv.key).isEqualTo(instanceId);
            assertThat(kv.value.getMessageName()).isEqualTo("WorkflowStarted");
        });
    }

    @Test
    void shouldStartNothingForADefinitionThatIsNotActive() {
        definitions.pipeInput("expense-approval", Fixtures.expenseApproval(DefinitionStatus.ACTIVE));
        definitions.pipeInput("expense-approval", Fixtures.expenseApproval(DefinitionStatus.INACTIVE));

        events.pipeInput("report-1", Fixtures.expenseSubmitted("event-1", "report-1"));

        assertThat(transitions.isEmpty()).isTrue();
        assertThat(messages.isEmpty()).isTrue();
    }

    @Test
    void shouldSeeACatalogChangeOnTheVeryNextEvent() {
        // the event matcher keeps the decoded catalog between events; a change must still count at once
        definitions.pipeInput("expense-approval", Fixtures.expenseApproval(DefinitionStatus.ACTIVE));
        events.pipeInput("report-1", Fixtures.expenseSubmitted("event-1", "report-1"));
        definitions.pipeInput("expense-approval", Fixtures.expenseApproval(DefinitionStatus.INACTIVE));
        events.pipeInput("report-2", Fixtures.expenseSubmitted("event-2", "report-2"));
        definitions.pipeInput("expense-approval", Fixtures.expenseApproval(DefinitionStatus.ACTIVE));
        events.pipeInput("report-3", Fixtures.expenseSubmitted("event-3", "report-3"));

        assertThat(messages.readValuesToList())
                .extracting(WorkflowMessage::getInstanceId)
                .containsExactly(
                        InstanceIds.instanceId("event-1", "expense-approval"),
                        InstanceIds.instanceId("event-3", "expense-approval"));
    }

    @Test
    void shouldKeepTheCompiledProgramButNotTheSourceDocumentInTheInstanceSnapshot() {
        WorkflowDefinition written = WorkflowDefinition.newBuilder(Fixtures.expenseApproval(DefinitionStatus.ACTIVE))
                .setDocument("{\"id\":\"expense-approval\",\"steps\":[\"...a long document...\"]}")
                .build();
        definitions.pipeInput("expense-approval", written);
        events.pipeInput("report-1", Fixtures.expenseSubmitted("event-1", "report-1"));

        KeyValueStore<String, InstanceRecord> instances = driver.getKeyValueStore(LooplineTopology.INSTANCES_STORE);
        InstanceRecord instance = instances.get(InstanceIds.instanceId("event-1", "expense-approval"));
        assertThat(instance.getDefinition().getDocument()).isEmpty();
        assertThat(instance.getDefinition().getSteps()).isEqualTo(written.getSteps());
        assertThat(instance.getDefinition().getVersion()).isEqualTo(written.getVersion());
    }

    @Test
    void shouldRunTheMessageLoopToCompletion() {
        // given
        activate();
        events.pipeInput("report-1", Fixtures.expenseSubmitted("event-1", "report-1"));

        // when: the handler acknowledges "workflow started", then the step's message
        acknowledgeNextMessage();
        WorkflowMessage approval = acknowledgeNextMessage();

        // then
        assertThat(approval.getMessageName()).isEqualTo("RequestApproval");
        assertThat(transitions.readValuesToList())
                .extracting(InstanceTransition::getStatusCode)
                .containsExactly(0, 20, 10, 20, 10, 20, 30);
        assertThat(messages.isEmpty()).isTrue();
    }

    /**
     * The records one job of one step writes, per topic: what bounds throughput on Kafka (the
     * docs/benchmarks.md, "Targets and where the time goes": every record written costs the broker and the
     * clients about the same). The bench counts the same in a real run; this pins it, so that a
     * change that writes more per job shows here and updates the figure on purpose.
     */
    @Test
    void shouldWriteNineteenRecordsForAJobOfOneStepBesidesItsDefinitionsFirstHealth() {
        activate();
        events.pipeInput("report-1", Fixtures.expenseSubmitted("event-1", "report-1"));
        acknowledgeNextMessage();
        acknowledgeNextMessage();

        Map<String, Integer> written = new TreeMap<>();
        for (String topic : driver.producedTopicNames()) {
            int records = driver.createOutputTopic(topic, new ByteArrayDeserializer(), new ByteArrayDeserializer())
                    .readRecordsToList()
                    .size();
            written.put(topic.replace(config.applicationId() + "-", "").replace(topics.prefix(), ""), records);
        }
        written.merge("messages", 2, Integer::sum); // read by acknowledgeNextMessage

        assertThat(written)
                .containsExactlyInAnyOrderEntriesOf(Map.ofEntries(
                        Map.entry("instance-commands", 1), // the start
                        Map.entry("messages", 2), // "workflow started", the step
                        Map.entry("transitions", 7), // 0, 20, 10, 20, 10, 20, 30
                        Map.entry("dependency-commands", 1), // the token given back
                        Map.entry("definition-outcomes", 1), // succeeded
                        Map.entry("instances-changelog", 3), // started, resumed, completed
                        Map.entry("timers-changelog", 1), // the retention timer
                        Map.entry("record-runs-changelog", 1), // loop protection
                        Map.entry("dependency-queues-changelog", 2), // token taken, then freed
                        // only for the first outcome of a definition: its health entry is created
                        Map.entry("definition-failures-changelog", 1),
                        Map.entry("definition-health", 1)));
        assertThat(written.values().stream().mapToInt(Integer::intValue).sum() - 2)
                .as("records per job without the first-health pair")
                .isEqualTo(19);
    }

    @Test
    void shouldApplyAStartedAcknowledgementThatOvertookItsStartCommand() {
        // given: the event half posts "workflow started" with the start command, so the application's
        // acknowledgement can reach the instance half first
        activate();
        String instanceId = InstanceIds.instanceId("event-1", "expense-approval");
        acks.pipeInput(instanceId, succeeded(startedMessage(instanceId)));
        assertThat(deadLetters.isEmpty()).isTrue();
        assertThat(transitions.isEmpty()).isTrue();

        // when
        events.pipeInput("report-1", Fixtures.expenseSubmitted("event-1", "report-1"));

        // then: started, acknowledged at once, and on to the step
        assertThat(messages.readValuesToList())
                .extracting(WorkflowMessage::getMessageName)
                .containsExactly("WorkflowStarted", "RequestApproval");
        assertThat(transitions.readValuesToList())
                .extracting(InstanceTransition::getStatusCode)
                .containsExactly(0, 20, 10, 20, 10);
        assertThat(deadLetters.isEmpty()).isTrue();
    }

    @Test
    void shouldKeepAnEarlyAcknowledgementWithoutATimerAndLeaveNothingBehindOnceApplied() {
        activate();
        String instanceId = InstanceIds.instanceId("event-1", "expense-approval");
        acks.pipeInput(instanceId, succeeded(startedMessage(instanceId)));
        KeyValueStore<String, Object> earlyAcks = driver.getKeyValueStore(LooplineTopology.EARLY_ACKS_STORE);
        KeyValueStore<String, Object> timers = driver.getKeyValueStore(LooplineTopology.TIMERS_STORE);
        // keyed by instance and reply token
        assertThat(keys(earlyAcks)).containsExactly(instanceId + '\u001f' + Fixtures.TOKEN);
        assertThat(keys(timers)).isEmpty();

        events.pipeInput("report-1", Fixtures.expenseSubmitted("event-1", "report-1"));

        assertThat(keys(earlyAcks)).isEmpty();
        assertThat(messages.readValuesToList())
                .extracting(WorkflowMessage::getMessageName)
                .containsExactly("WorkflowStarted", "RequestApproval");
    }

    /** Reads the next message the runtime posted and acknowledges it as the handler would: succeeded. */
    private WorkflowMessage acknowledgeNextMessage() {
        WorkflowMessage message = messages.readValue();
        acks.pipeInput(message.getInstanceId(), succeeded(message));
        return message;
    }

    private static List<String> keys(KeyValueStore<String, Object> store) {
        List<String> keys = new ArrayList<>();
        try (var all = store.all()) {
            all.forEachRemaining(entry -> keys.add(entry.key));
        }
        return keys;
    }

    @Test
    void shouldDeadLetterAnEarlyStartedAcknowledgementWhoseInstanceNeverStarts() {
        String instanceId = InstanceIds.instanceId("event-1", "expense-approval");
        Acknowledgement early = succeeded(startedMessage(instanceId));
        acks.pipeInput(instanceId, early);

        driver.advanceWallClockTime(Duration.ofMinutes(59));
        assertThat(deadLetters.isEmpty()).isTrue();
        driver.advanceWallClockTime(Duration.ofMinutes(2));

        TestRecord<byte[], byte[]> dead = deadLetters.readRecord();
        assertThat(header(dead, "__streams.errors.message"))
                .contains("for unknown instance " + instanceId)
                .contains("no instance started within PT1H");
        assertThat(header(dead, "__streams.errors.topic")).isEqualTo(topics.acks());
        // the acknowledgement's own bytes, as on the acks topic
        assertThat(serdes.valueSerde(Acknowledgement.class).deserializer().deserialize(topics.acks(), dead.value()))
                .isEqualTo(early);
        assertThat(deadLetters.isEmpty()).isTrue();
    }

    @Test
    void shouldNotLetAnEventRepeatedAfterItsJobCompletedBlockTheEntitysLaterJobs() {
        // given: a job on report-1 ran to completion
        activate();
        events.pipeInput("report-1", Fixtures.expenseSubmitted("event-1", "report-1"));
        WorkflowMessage started = acknowledgeNextMessage();
        acknowledgeNextMessage();
        assertThat(transitions.readValuesToList())
                .extracting(InstanceTransition::getStatusCode)
                .endsWith(30);

        // when: its event is delivered again, then a new event on the same record arrives
        events.pipeInput("report-1", Fixtures.expenseSubmitted("event-1", "report-1"));
        events.pipeInput("report-1", Fixtures.expenseSubmitted("event-2", "report-1"));

        // then: the new job starts; the repeated one changed nothing but re-posting its own
        // "workflow started" (same id: handlers deduplicate) and was not run again
        String second = InstanceIds.instanceId("event-2", "expense-approval");
        assertThat(messages.readValuesToList())
                .extracting(WorkflowMessage::getMessageId)
                .containsExactly(started.getMessageId(), second + "/started");
        assertThat(transitions.readValuesToList())
                .extracting(InstanceTransition::getInstanceId)
                .containsOnly(second);
        try (var queues = driver.<String, TokenQueue>getKeyValueStore(LooplineTopology.DEPENDENCY_QUEUES_STORE)
                .all()) {
            assertThat(queues.next().value.getHolder()).isEqualTo(second);
        }
    }

    @Test
    void shouldChangeNothingOnADuplicateEventOrAcknowledgement() {
        // given
        activate();
        events.pipeInput("report-1", Fixtures.expenseSubmitted("event-1", "report-1"));
        WorkflowMessage started = acknowledgeNextMessage();
        transitions.readValuesToList();
        messages.readValuesToList();

        // when
        events.pipeInput("report-1", Fixtures.expenseSubmitted("event-1", "report-1"));
        acks.pipeInput(started.getInstanceId(), succeeded(started));

        // then
        assertThat(transitions.isEmpty()).isTrue();
        assertThat(messages.isEmpty()).isTrue();
        assertThat(deadLetters.isEmpty()).isTrue();
    }

    /**
     * TopologyTestDriver skips the poison record but does not emit the deserialization handler's
     * dead-letter record; {@code PoisonRecordIT} proves the dead-letter bytes and headers on a real
     * broker.
     */
    @Test
    void shouldSkipAPoisonEventAndKeepProcessing() {
        // given
        activate();

        // when
        rawEvents.pipeInput("report-1", "{\"not\":\"avro\"}".getBytes(StandardCharsets.UTF_8));
        events.pipeInput("report-2", Fixtures.expenseSubmitted("event-2", "report-2"));

        // then
        List<InstanceTransition> started = transitions.readValuesToList();
        assertThat(started).hasSize(3);
        assertThat(started.get(0).getInstanceId()).isEqualTo(InstanceIds.instanceId("event-2", "expense-approval"));
    }

    @Test
    void shouldRejectAnAcknowledgementForAnUnknownInstanceToTheDeadLetterTopic() {
        activate();
        // any acknowledgement but that of "workflow started", which may overtake its start (see below)
        Acknowledgement stray = Acknowledgement.newBuilder()
                .setMessageId("nobody/step-0")
                .setReplyToken(Fixtures.TOKEN)
                .setInstanceId("nobody")
                .setOutcome(Outcome.SUCCEEDED)
                .build();

        acks.pipeInput("any key", stray);
        events.pipeInput("report-3", Fixtures.expenseSubmitted("event-3", "report-3"));

        // not in this task: sent on, keyed by its instance id, to the partition of its instance; unknown there too
        TestRecord<String, Acknowledgement> onItsWay = rerouted.readRecord();
        assertThat(onItsWay.key()).isEqualTo("nobody");
        assertThat(onItsWay.value()).isEqualTo(stray);
        assertThat(rerouted.isEmpty()).isTrue();
        TestRecord<byte[], byte[]> dead = deadLetters.readRecord();
        assertThat(header(dead, "__streams.errors.message")).contains("unknown instance nobody");
        assertThat(header(dead, "__streams.errors.topic")).isEqualTo(topics.acksRerouted());
        // the acks topic's bytes: it can be replayed to acks
        assertThat(serdes.valueSerde(Acknowledgement.class).deserializer().deserialize(topics.acks(), dead.value()))
                .isEqualTo(stray);
        assertThat(transitions.readValuesToList()).hasSize(3);
    }

    @Test
    void shouldApplyAnAcknowledgementWhateverItsKeyWithoutReroutingItWhenItsInstanceIsInTheTask() {
        activate();
        events.pipeInput("report-1", Fixtures.expenseSubmitted("event-1", "report-1"));
        WorkflowMessage started = messages.readValue();

        acks.pipeInput(started.getMessageId(), succeeded(started)); // keyed by message id, not instance id
        acks.pipeInput((String) null, succeeded(messages.readValue()));

        assertThat(rerouted.isEmpty()).isTrue();
        assertThat(transitions.readValuesToList())
                .extracting(InstanceTransition::getStatusCode)
                .containsExactly(0, 20, 10, 20, 10, 20, 30);
    }

    @Test
    void shouldRunJobsOnOneEntityOneAtATimeInCreationOrder() {
        // given
        activate();
        List<String> jobs = List.of(
                InstanceIds.instanceId("first", "expense-approval"),
                InstanceIds.instanceId("second", "expense-approval"),
                InstanceIds.instanceId("third", "expense-approval"));

        // when: three events on one expense report
        events.pipeInput("report-1", Fixtures.expenseSubmitted("first", "report-1"));
        events.pipeInput("report-1", Fixtures.expenseSubmitted("second", "report-1"));
        events.pipeInput("report-1", Fixtures.expenseSubmitted("third", "report-1"));

        // then: only the first runs; the others wait in Ready until the one before completes
        List<String> startedInOrder = new ArrayList<>();
        for (int round = 0; round < 3; round++) {
            List<WorkflowMessage> posted = messages.readValuesToList();
            assertThat(posted)
                    .as("round %d", round)
                    .singleElement()
                    .satisfies(m -> assertThat(m.getMessageName()).isEqualTo("WorkflowStarted"));
            String running = posted.get(0).getInstanceId();
            startedInOrder.add(running);
            acks.pipeInput(running, succeeded(posted.get(0)));
            WorkflowMessage approval = messages.readValue();
            assertThat(approval.getInstanceId()).isEqualTo(running);
            acks.pipeInput(running, succeeded(approval));
        }
        assertThat(startedInOrder).containsExactlyElementsOf(jobs);
        List<InstanceTransition> all = transitions.readValuesToList();
        assertThat(all)
                .filteredOn(t -> t.getStatusCode() == 30)
                .extracting(InstanceTransition::getInstanceId)
                .containsExactlyElementsOf(jobs);
        assertThat(all)
                .filteredOn(t -> t.getInstanceId().equals(jobs.get(2)))
                .first()
                .satisfies(t -> assertThat(t.getStatusCode()).isZero());
        try (var queues = driver.getKeyValueStore(LooplineTopology.DEPENDENCY_QUEUES_STORE)
                .all()) {
            assertThat(queues.hasNext()).as("a token nobody holds has no entry").isFalse();
        }
    }

    @Test
    void shouldFailTheSeventeenthRunOnOneRecordAsAnInfiniteLoop() {
        activate();

        for (int i = 1; i <= 17; i++) {
            events.pipeInput("report-1", Fixtures.expenseSubmitted("event-" + i, "report-1"));
        }

        List<InstanceTransition> all = transitions.readValuesToList();
        String seventeenth = InstanceIds.instanceId("event-17", "expense-approval");
        assertThat(all).filteredOn(t -> t.getStatusCode() == 31).singleElement().satisfies(failed -> {
            assertThat(failed.getInstanceId()).isEqualTo(seventeenth);
            assertThat(failed.getErrorCode()).isEqualTo("InfiniteLoop");
            assertThat(failed.getReason()).contains("ran more than 16 times on expense_report report-1");
        });
    }

    @Test
    void shouldStartInstancesOfSeveralMatchingDefinitionsInRankOrder() {
        definitions.pipeInput("a-low-priority", ranked("a-low-priority", 5));
        definitions.pipeInput("b-high-priority", ranked("b-high-priority", 1));

        events.pipeInput("report-1", Fixtures.expenseSubmitted("event-1", "report-1"));

        assertThat(transitions.readValuesToList())
                .filteredOn(t -> t.getSequence() == 1)
                .extracting(InstanceTransition::getDefinitionId)
                .containsExactly("b-high-priority", "a-low-priority");
    }

    private static WorkflowDefinition ranked(String id, int rank) {
        WorkflowDefinition definition = Fixtures.expenseApproval(DefinitionStatus.ACTIVE);
        return WorkflowDefinition.newBuilder(definition)
                .setId(id)
                .setTrigger(dev.loopline.api.v1.Trigger.newBuilder(definition.getTrigger())
                        .setRank(rank)
                        .build())
                .build();
    }

    private void activate() {
        definitions.pipeInput("expense-approval", Fixtures.expenseApproval(DefinitionStatus.ACTIVE));
    }

    private static WorkflowMessage startedMessage(String instanceId) {
        return InstanceMachine.startedMessage(
                instanceId,
                Fixtures.expenseApproval(DefinitionStatus.ACTIVE),
                Fixtures.expenseSubmitted("event-1", "report-1"),
                T0,
                Fixtures.TOKEN);
    }

    private static Acknowledgement succeeded(WorkflowMessage message) {
        return Acknowledgement.newBuilder()
                .setMessageId(message.getMessageId())
                .setReplyToken(message.getReplyToken())
                .setInstanceId(message.getInstanceId())
                .setOutcome(Outcome.SUCCEEDED)
                .build();
    }
}
