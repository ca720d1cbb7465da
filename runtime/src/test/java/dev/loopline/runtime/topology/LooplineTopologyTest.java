package dev.loopline.runtime.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loopline.api.internal.InstanceRecord;
import dev.loopline.api.internal.TokenQueue;
import dev.loopline.api.v1.Acknowledgement;
import dev.loopline.api.v1.DefinitionStatus;
import dev.loopline.api.v1.InstanceTransition;
import dev.loopline.api.v1.Trigger;
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
        definitions().activateExpenseApproval();

        // when
        events().publish(Fixtures.expenseSubmitted("event-1", "report-1"));

        // then
        String instanceId = InstanceIds.instanceId("event-1", "expense-approval");
        List<InstanceTransition> started = recorded().transitions();
        assertThat(started).extracting(InstanceTransition::getStatusCode).containsExactly(0, 20, 10);
        assertThat(started).allSatisfy(t -> assertThat(t.getInstanceId()).isEqualTo(instanceId));
        assertThat(recorded().messageRecords()).singleElement().satisfies(record -> {
            assertThat(record.key()).isEqualTo(instanceId);
            assertThat(record.value().getMessageName()).isEqualTo("WorkflowStarted");
        });
    }

    @Test
    void shouldStartNothingForADefinitionThatIsNotActive() {
        // given
        definitions().publish(Fixtures.expenseApproval(DefinitionStatus.ACTIVE));
        definitions().publish(Fixtures.expenseApproval(DefinitionStatus.INACTIVE));

        // when
        events().publish(Fixtures.expenseSubmitted("event-1", "report-1"));

        // then
        assertThat(recorded().transitions()).isEmpty();
        assertThat(recorded().messages()).isEmpty();
    }

    @Test
    void shouldSeeACatalogChangeOnTheVeryNextEvent() {
        // given: the event matcher keeps the decoded catalog between events; a change must still count at once
        definitions().publish(Fixtures.expenseApproval(DefinitionStatus.ACTIVE));
        events().publish(Fixtures.expenseSubmitted("event-1", "report-1"));

        // when
        definitions().publish(Fixtures.expenseApproval(DefinitionStatus.INACTIVE));
        events().publish(Fixtures.expenseSubmitted("event-2", "report-2"));
        definitions().publish(Fixtures.expenseApproval(DefinitionStatus.ACTIVE));
        events().publish(Fixtures.expenseSubmitted("event-3", "report-3"));

        // then
        assertThat(recorded().messages())
                .extracting(WorkflowMessage::getInstanceId)
                .containsExactly(
                        InstanceIds.instanceId("event-1", "expense-approval"),
                        InstanceIds.instanceId("event-3", "expense-approval"));
    }

    @Test
    void shouldKeepTheCompiledProgramButNotTheSourceDocumentInTheInstanceSnapshot() {
        // given
        WorkflowDefinition written = WorkflowDefinition.newBuilder(Fixtures.expenseApproval(DefinitionStatus.ACTIVE))
                .setDocument("{\"id\":\"expense-approval\",\"steps\":[\"...a long document...\"]}")
                .build();
        definitions().publish(written);

        // when
        events().publish(Fixtures.expenseSubmitted("event-1", "report-1"));

        // then
        InstanceRecord instance = storedInstance(InstanceIds.instanceId("event-1", "expense-approval"));
        assertThat(instance.getDefinition().getDocument()).isEmpty();
        assertThat(instance.getDefinition().getSteps()).isEqualTo(written.getSteps());
        assertThat(instance.getDefinition().getVersion()).isEqualTo(written.getVersion());
    }

    @Test
    void shouldRunTheMessageLoopToCompletion() {
        // given
        definitions().activateExpenseApproval();
        events().publish(Fixtures.expenseSubmitted("event-1", "report-1"));

        // when: the handler acknowledges "workflow started", then the step's message
        acks().succeedNext();
        WorkflowMessage approval = acks().succeedNext();

        // then
        assertThat(approval.getMessageName()).isEqualTo("RequestApproval");
        assertThat(recorded().statusCodes()).containsExactly(0, 20, 10, 20, 10, 20, 30);
        assertThat(acks().unanswered()).isEmpty();
    }

    /**
     * The records one job of one step writes, per topic: what bounds throughput on Kafka (the
     * docs/benchmarks.md, "Targets and where the time goes": every record written costs the broker and the
     * clients about the same). The bench counts the same in a real run; this pins it, so that a
     * change that writes more per job shows here and updates the figure on purpose.
     */
    @Test
    void shouldWriteNineteenRecordsForAJobOfOneStepBesidesItsDefinitionsFirstHealth() {
        // given
        definitions().activateExpenseApproval();

        // when
        events().publish(Fixtures.expenseSubmitted("event-1", "report-1"));
        acks().succeedNext();
        acks().succeedNext();

        // then
        Map<String, Integer> written = new TreeMap<>();
        recorded()
                .recordsPerTopic()
                .forEach((topic, records) -> written.put(
                        topic.replace(config.applicationId() + "-", "").replace(topics.prefix(), ""), records));
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
        definitions().activateExpenseApproval();
        String instanceId = InstanceIds.instanceId("event-1", "expense-approval");
        acks().succeed(startedMessage(instanceId));
        assertThat(recorded().deadLetters()).isEmpty();
        assertThat(recorded().transitions()).isEmpty();

        // when
        events().publish(Fixtures.expenseSubmitted("event-1", "report-1"));

        // then: started, acknowledged at once, and on to the step
        assertThat(recorded().messages())
                .extracting(WorkflowMessage::getMessageName)
                .containsExactly("WorkflowStarted", "RequestApproval");
        assertThat(recorded().statusCodes()).containsExactly(0, 20, 10, 20, 10);
        assertThat(recorded().deadLetters()).isEmpty();
    }

    @Test
    void shouldKeepAnEarlyAcknowledgementWithoutATimerAndLeaveNothingBehindOnceApplied() {
        // given
        definitions().activateExpenseApproval();
        String instanceId = InstanceIds.instanceId("event-1", "expense-approval");
        acks().succeed(startedMessage(instanceId));
        // keyed by instance and reply token
        assertThat(store(LooplineTopology.EARLY_ACKS_STORE))
                .extracting(entry -> entry.key)
                .containsExactly(instanceId + '\u001f' + Fixtures.TOKEN);
        assertThat(store(LooplineTopology.TIMERS_STORE)).isEmpty();

        // when
        events().publish(Fixtures.expenseSubmitted("event-1", "report-1"));

        // then
        assertThat(store(LooplineTopology.EARLY_ACKS_STORE)).isEmpty();
        assertThat(recorded().messages())
                .extracting(WorkflowMessage::getMessageName)
                .containsExactly("WorkflowStarted", "RequestApproval");
    }

    @Test
    void shouldDeadLetterAnEarlyStartedAcknowledgementWhoseInstanceNeverStarts() {
        // given
        String instanceId = InstanceIds.instanceId("event-1", "expense-approval");
        Acknowledgement early = succeeded(startedMessage(instanceId));
        acks().send(early);

        // when
        clock().advance(Duration.ofMinutes(59));
        assertThat(recorded().deadLetters()).isEmpty();
        clock().advance(Duration.ofMinutes(2));

        // then
        assertThat(recorded().deadLetters()).singleElement().satisfies(dead -> {
            assertThat(header(dead, "__streams.errors.message"))
                    .contains("for unknown instance " + instanceId)
                    .contains("no instance started within PT1H");
            assertThat(header(dead, "__streams.errors.topic")).isEqualTo(topics.acks());
            // the acknowledgement's own bytes, as on the acks topic
            assertThat(serdes.valueSerde(Acknowledgement.class).deserializer().deserialize(topics.acks(), dead.value()))
                    .isEqualTo(early);
        });
    }

    @Test
    void shouldNotLetAnEventRepeatedAfterItsJobCompletedBlockTheEntitysLaterJobs() {
        // given: a job on report-1 ran to completion
        definitions().activateExpenseApproval();
        events().publish(Fixtures.expenseSubmitted("event-1", "report-1"));
        WorkflowMessage started = acks().succeedNext();
        acks().succeedNext();
        assertThat(recorded().statusCodes()).endsWith(30);
        Recording afterwards = recorded().fromNowOn();

        // when: its event is delivered again, then a new event on the same record arrives
        events().publish(Fixtures.expenseSubmitted("event-1", "report-1"));
        events().publish(Fixtures.expenseSubmitted("event-2", "report-1"));

        // then: the new job starts; the repeated one changed nothing but re-posting its own
        // "workflow started" (same id: handlers deduplicate) and was not run again
        String second = InstanceIds.instanceId("event-2", "expense-approval");
        assertThat(acks().unanswered())
                .extracting(WorkflowMessage::getMessageId)
                .containsExactly(started.getMessageId(), second + "/started");
        assertThat(afterwards.transitions())
                .extracting(InstanceTransition::getInstanceId)
                .containsOnly(second);
        assertThat(this.<TokenQueue>store(LooplineTopology.DEPENDENCY_QUEUES_STORE)
                        .get(0)
                        .value
                        .getHolder())
                .isEqualTo(second);
    }

    @Test
    void shouldChangeNothingOnADuplicateEventOrAcknowledgement() {
        // given
        definitions().activateExpenseApproval();
        events().publish(Fixtures.expenseSubmitted("event-1", "report-1"));
        WorkflowMessage started = acks().succeedNext();
        Recording afterwards = recorded().fromNowOn();

        // when
        events().publish(Fixtures.expenseSubmitted("event-1", "report-1"));
        acks().succeed(started);

        // then
        assertThat(afterwards.transitions()).isEmpty();
        assertThat(afterwards.messages()).isEmpty();
        assertThat(recorded().deadLetters()).isEmpty();
    }

    /**
     * TopologyTestDriver skips the poison record but does not emit the deserialization handler's
     * dead-letter record; {@code PoisonRecordIT} proves the dead-letter bytes and headers on a real
     * broker.
     */
    @Test
    void shouldSkipAPoisonEventAndKeepProcessing() {
        // given
        definitions().activateExpenseApproval();

        // when
        events().publishRaw("report-1", "{\"not\":\"avro\"}".getBytes(StandardCharsets.UTF_8));
        events().publish(Fixtures.expenseSubmitted("event-2", "report-2"));

        // then
        List<InstanceTransition> started = recorded().transitions();
        assertThat(started).hasSize(3);
        assertThat(started.get(0).getInstanceId()).isEqualTo(InstanceIds.instanceId("event-2", "expense-approval"));
    }

    @Test
    void shouldRejectAnAcknowledgementForAnUnknownInstanceToTheDeadLetterTopic() {
        // given: any acknowledgement but that of "workflow started", which may overtake its start (see above)
        definitions().activateExpenseApproval();
        Acknowledgement stray = answer("nobody", "nobody/step-0").build();

        // when
        acks().send("any key", stray);
        events().publish(Fixtures.expenseSubmitted("event-3", "report-3"));

        // then: not in this task: sent on, keyed by its instance id, to the partition of its instance;
        // unknown there too
        assertThat(recorded().rerouted()).singleElement().satisfies(onItsWay -> {
            assertThat(onItsWay.key()).isEqualTo("nobody");
            assertThat(onItsWay.value()).isEqualTo(stray);
        });
        TestRecord<byte[], byte[]> dead = recorded().deadLetters().get(0);
        assertThat(header(dead, "__streams.errors.message")).contains("unknown instance nobody");
        assertThat(header(dead, "__streams.errors.topic")).isEqualTo(topics.acksRerouted());
        // the acks topic's bytes: it can be replayed to acks
        assertThat(serdes.valueSerde(Acknowledgement.class).deserializer().deserialize(topics.acks(), dead.value()))
                .isEqualTo(stray);
        assertThat(recorded().transitions()).hasSize(3);
    }

    @Test
    void shouldApplyAnAcknowledgementWhateverItsKeyWithoutReroutingItWhenItsInstanceIsInTheTask() {
        // given
        definitions().activateExpenseApproval();
        events().publish(Fixtures.expenseSubmitted("event-1", "report-1"));
        WorkflowMessage started = recorded().messages().get(0);

        // when
        acks().send(started.getMessageId(), succeeded(started)); // keyed by message id, not instance id
        acks().send(null, succeeded(recorded().messages().get(1)));

        // then
        assertThat(recorded().rerouted()).isEmpty();
        assertThat(recorded().statusCodes()).containsExactly(0, 20, 10, 20, 10, 20, 30);
    }

    @Test
    void shouldRunJobsOnOneEntityOneAtATimeInCreationOrder() {
        // given
        definitions().activateExpenseApproval();
        List<String> jobs = List.of(
                InstanceIds.instanceId("first", "expense-approval"),
                InstanceIds.instanceId("second", "expense-approval"),
                InstanceIds.instanceId("third", "expense-approval"));

        // when: three events on one expense report
        events().publish(Fixtures.expenseSubmitted("first", "report-1"));
        events().publish(Fixtures.expenseSubmitted("second", "report-1"));
        events().publish(Fixtures.expenseSubmitted("third", "report-1"));

        // then: only the first runs; the others wait in Ready until the one before completes
        List<String> startedInOrder = new ArrayList<>();
        for (int round = 0; round < 3; round++) {
            assertThat(acks().unanswered())
                    .as("round %d", round)
                    .singleElement()
                    .satisfies(m -> assertThat(m.getMessageName()).isEqualTo("WorkflowStarted"));
            String running = acks().succeedNext().getInstanceId();
            startedInOrder.add(running);
            WorkflowMessage approval = acks().succeedNext();
            assertThat(approval.getInstanceId()).isEqualTo(running);
        }
        assertThat(startedInOrder).containsExactlyElementsOf(jobs);
        List<InstanceTransition> all = recorded().transitions();
        assertThat(all)
                .filteredOn(t -> t.getStatusCode() == 30)
                .extracting(InstanceTransition::getInstanceId)
                .containsExactlyElementsOf(jobs);
        assertThat(all)
                .filteredOn(t -> t.getInstanceId().equals(jobs.get(2)))
                .first()
                .satisfies(t -> assertThat(t.getStatusCode()).isZero());
        assertThat(store(LooplineTopology.DEPENDENCY_QUEUES_STORE))
                .as("a token nobody holds has no entry")
                .isEmpty();
    }

    @Test
    void shouldFailTheSeventeenthRunOnOneRecordAsAnInfiniteLoop() {
        // given
        definitions().activateExpenseApproval();

        // when
        for (int i = 1; i <= 17; i++) {
            events().publish(Fixtures.expenseSubmitted("event-" + i, "report-1"));
        }

        // then
        String seventeenth = InstanceIds.instanceId("event-17", "expense-approval");
        assertThat(recorded().transitions())
                .filteredOn(t -> t.getStatusCode() == 31)
                .singleElement()
                .satisfies(failed -> {
                    assertThat(failed.getInstanceId()).isEqualTo(seventeenth);
                    assertThat(failed.getErrorCode()).isEqualTo("InfiniteLoop");
                    assertThat(failed.getReason()).contains("ran more than 16 times on expense_report report-1");
                });
    }

    @Test
    void shouldStartInstancesOfSeveralMatchingDefinitionsInRankOrder() {
        // given
        definitions().publish(ranked("a-low-priority", 5));
        definitions().publish(ranked("b-high-priority", 1));

        // when
        events().publish(Fixtures.expenseSubmitted("event-1", "report-1"));

        // then
        assertThat(recorded().transitions())
                .filteredOn(t -> t.getSequence() == 1)
                .extracting(InstanceTransition::getDefinitionId)
                .containsExactly("b-high-priority", "a-low-priority");
    }

    private static WorkflowDefinition ranked(String id, int rank) {
        WorkflowDefinition definition = Fixtures.expenseApproval(DefinitionStatus.ACTIVE);
        return WorkflowDefinition.newBuilder(definition)
                .setId(id)
                .setTrigger(Trigger.newBuilder(definition.getTrigger())
                        .setRank(rank)
                        .build())
                .build();
    }

    /** The "workflow started" message the expense approval's instance of event-1 posts. */
    private static WorkflowMessage startedMessage(String instanceId) {
        return InstanceMachine.startedMessage(
                instanceId,
                Fixtures.expenseApproval(DefinitionStatus.ACTIVE),
                Fixtures.expenseSubmitted("event-1", "report-1"),
                T0,
                Fixtures.TOKEN);
    }
}
