package dev.loopline.gateway.query.streams;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loopline.api.Topics;
import dev.loopline.api.internal.InstanceSummary;
import dev.loopline.api.internal.MessageEntry;
import dev.loopline.api.serde.InternalAvroSerde;
import dev.loopline.api.store.StoreKeys;
import dev.loopline.api.v1.Acknowledgement;
import dev.loopline.api.v1.InstanceState;
import dev.loopline.api.v1.InstanceTransition;
import dev.loopline.api.v1.MessageKind;
import dev.loopline.api.v1.Outcome;
import dev.loopline.api.v1.WorkflowMessage;
import dev.loopline.gateway.query.IndexKeys;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class QueryTopologyTest {

    private static final Instant T0 = Instant.parse("2026-12-01T08:00:00Z");

    private final Topics topics = new Topics("");
    private TopologyTestDriver driver;
    private TestInputTopic<String, InstanceTransition> transitions;
    private TestInputTopic<String, WorkflowMessage> messages;
    private TestInputTopic<String, Acknowledgement> acks;
    private TestInputTopic<String, Acknowledgement> rerouted;
    private TestInputTopic<String, byte[]> rawAcks;

    @BeforeEach
    void start() {
        InternalAvroSerde<InstanceTransition> serde = new InternalAvroSerde<>(InstanceTransition.class);
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "query-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        InternalAvroSerde<WorkflowMessage> messageSerde = new InternalAvroSerde<>(WorkflowMessage.class);
        InternalAvroSerde<Acknowledgement> ackSerde = new InternalAvroSerde<>(Acknowledgement.class);
        driver = new TopologyTestDriver(
                QueryTopology.build(topics, serde.deserializer(), messageSerde.deserializer(), ackSerde.deserializer()),
                props);
        transitions = driver.createInputTopic(topics.transitions(), new StringSerializer(), serde.serializer());
        messages = driver.createInputTopic(topics.messages(), new StringSerializer(), messageSerde.serializer());
        acks = driver.createInputTopic(topics.acks(), new StringSerializer(), ackSerde.serializer());
        rerouted = driver.createInputTopic(topics.acksRerouted(), new StringSerializer(), ackSerde.serializer());
        rawAcks = driver.createInputTopic(topics.acks(), new StringSerializer(), new ByteArraySerializer());
    }

    @AfterEach
    void close() {
        driver.close();
    }

    @Test
    void shouldKeepEachMessageWithTheFirstAnswerThatEchoesItsReplyToken() {
        messages.pipeInput("i-1", message("i-1/step-0", "token-0"));
        rawAcks.pipeInput("i-1", new byte[] {1, 2, 3}); // the runtime dead-letters it; skipped here
        acks.pipeInput("i-1", ack("i-1/step-0", "forged", "first"));
        rerouted.pipeInput("i-1", ack("i-1/step-0", "token-0", "second"));
        acks.pipeInput("i-1", ack("i-1/step-0", "token-0", "third"));
        acks.pipeInput("i-1", ack("nobody/step-0", "token-0", "stray"));
        messages.pipeInput("i-1", message("i-1/step-0", "token-0")); // read again

        MessageEntry entry = messageStore().get("i-1/step-0");
        assertThat(entry.getReplyToken()).isEqualTo("token-0");
        assertThat(entry.getAnswer().getOutput()).containsEntry("from", "second");
        assertThat(messageStore().get("nobody/step-0")).isNull();
    }

    @Test
    void shouldForgetAnInstancesMessagesWithIt() {
        send(transition("i-1", 1, InstanceState.READY, 0, T0));
        messages.pipeInput("i-1", message("i-1/started", "t"));
        messages.pipeInput("i-1", message("i-1/step-0/attempt-1", "t"));
        messages.pipeInput("i-10", message("i-10/started", "t"));

        transitions.pipeInput("i-1", (InstanceTransition) null);

        assertThat(messageStore().get("i-1/started")).isNull();
        assertThat(messageStore().get("i-1/step-0/attempt-1")).isNull();
        assertThat(messageStore().get("i-10/started")).isNotNull();
    }

    private KeyValueStore<String, MessageEntry> messageStore() {
        return driver.getKeyValueStore(QueryTopology.MESSAGES);
    }

    private static WorkflowMessage message(String messageId, String token) {
        return WorkflowMessage.newBuilder()
                .setMessageId(messageId)
                .setInstanceId(messageId.substring(0, messageId.indexOf('/')))
                .setDefinitionId("expenses")
                .setDefinitionVersion(1)
                .setKind(MessageKind.STEP_REQUEST)
                .setMessageName("RequestApproval")
                .setEntityType("expense_report")
                .setEntityId("ER-1")
                .setCreatedAt(T0)
                .setReplyToken(token)
                .build();
    }

    private static Acknowledgement ack(String messageId, String token, String from) {
        return Acknowledgement.newBuilder()
                .setMessageId(messageId)
                .setInstanceId(messageId.substring(0, messageId.indexOf('/')))
                .setOutcome(Outcome.SUCCEEDED)
                .setOutput(Map.of("from", from))
                .setReplyToken(token)
                .build();
    }

    @Test
    void shouldKeepTheLatestSummaryTheWholeHistoryAndOneCountPerInstance() {
        send(transition("i-1", 1, InstanceState.READY, 0, T0));
        send(transition("i-1", 2, InstanceState.LOCKED, 20, T0.plusSeconds(1)));
        send(transition("i-1", 3, InstanceState.COMPLETED, 30, T0.plusSeconds(2)));

        InstanceSummary summary = summaries().get("i-1");
        assertThat(summary.getState()).isEqualTo(InstanceState.COMPLETED);
        assertThat(summary.getStatusCode()).isEqualTo(30);
        assertThat(summary.getSequence()).isEqualTo(3);
        assertThat(summary.getCreatedAt()).isEqualTo(T0);
        assertThat(summary.getUpdatedAt()).isEqualTo(T0.plusSeconds(2));
        assertThat(history("i-1")).extracting(InstanceTransition::getSequence).containsExactly(1, 2, 3);
        assertThat(counts()).containsExactly(Map.entry(StoreKeys.join("expenses", "COMPLETED", "030"), 1L));
        assertThat(indexed(IndexKeys.STATE)).containsExactly("i-1");
        assertThat(keys(IndexKeys.STATE)).allMatch(key -> key.startsWith(StoreKeys.join("s", "COMPLETED")));
        assertThat(indexed(StoreKeys.join(IndexKeys.STATUS, "030"))).containsExactly("i-1");
    }

    @Test
    void shouldChangeNothingForATransitionReadAgain() {
        send(transition("i-1", 1, InstanceState.READY, 0, T0));
        send(transition("i-1", 2, InstanceState.LOCKED, 20, T0.plusSeconds(1)));
        Map<String, Long> counts = counts();
        List<String> index = keys("");

        send(transition("i-1", 2, InstanceState.LOCKED, 20, T0.plusSeconds(1)));
        send(transition("i-1", 1, InstanceState.READY, 0, T0));

        assertThat(counts())
                .isEqualTo(counts)
                .containsExactly(Map.entry(StoreKeys.join("expenses", "LOCKED", "020"), 1L));
        assertThat(keys("")).isEqualTo(index);
        assertThat(history("i-1")).hasSize(2);
        assertThat(summaries().get("i-1").getState()).isEqualTo(InstanceState.LOCKED);
    }

    @Test
    void shouldCountEachPlaceAndListTheNewestFirst() {
        send(transition("i-old", 1, InstanceState.READY, 0, T0));
        send(transition("i-new", 1, InstanceState.READY, 0, T0.plusSeconds(60)));
        send(transition("i-mid", 1, InstanceState.READY, 0, T0.plusSeconds(30)));
        send(transition("i-mid", 2, InstanceState.SUSPENDED, 10, T0.plusSeconds(31)));

        assertThat(counts())
                .containsOnly(
                        Map.entry(StoreKeys.join("expenses", "READY", "000"), 2L),
                        Map.entry(StoreKeys.join("expenses", "SUSPENDED", "010"), 1L));
        assertThat(indexed(IndexKeys.CREATED)).containsExactly("i-new", "i-mid", "i-old");
        assertThat(indexed(StoreKeys.join(IndexKeys.STATE, "READY"))).containsExactly("i-new", "i-old");
        assertThat(indexed(StoreKeys.join(IndexKeys.DEFINITION, "expenses")))
                .containsExactly("i-new", "i-mid", "i-old");
        assertThat(indexed(StoreKeys.join(IndexKeys.VERSION, "expenses", "0000000002")))
                .containsExactly("i-new", "i-mid", "i-old");
        assertThat(indexed(StoreKeys.join(IndexKeys.ENTITY, "r-i-mid"))).containsExactly("i-mid");
    }

    @Test
    void shouldIndexAnErrorCodeOnlyWhileTheInstanceHasIt() {
        send(transition("i-1", 1, InstanceState.READY, 0, T0));
        InstanceTransition failing = transition("i-1", 2, InstanceState.SUSPENDED, 10, T0.plusSeconds(1));
        failing.setErrorCode("HandlerTimeout");
        send(failing);
        assertThat(indexed(StoreKeys.join(IndexKeys.ERROR, "HandlerTimeout"))).containsExactly("i-1");

        send(transition("i-1", 3, InstanceState.READY, 0, T0.plusSeconds(2)));

        assertThat(indexed(IndexKeys.ERROR)).isEmpty();
    }

    @Test
    void shouldForgetADeletedInstanceEverywhere() {
        send(transition("i-1", 1, InstanceState.READY, 0, T0));
        send(transition("i-1", 2, InstanceState.COMPLETED, 30, T0.plusSeconds(1)));
        send(transition("i-2", 1, InstanceState.READY, 0, T0));

        transitions.pipeInput("i-1", null, T0.plusSeconds(5));

        assertThat(summaries().get("i-1")).isNull();
        assertThat(history("i-1")).isEmpty();
        assertThat(keys("")).noneMatch(key -> key.endsWith(StoreKeys.SEPARATOR + "i-1"));
        assertThat(counts()).containsExactly(Map.entry(StoreKeys.join("expenses", "READY", "000"), 1L));
    }

    @Test
    void shouldKeepTheEntityOfAnEarlierTransitionWhenALaterOneCarriesNone() {
        send(transition("i-1", 1, InstanceState.READY, 0, T0));
        InstanceTransition operatorAction = transition("i-1", 2, InstanceState.COMPLETED, 32, T0.plusSeconds(1));
        operatorAction.setEntityType(null);
        operatorAction.setEntityId(null);
        send(operatorAction);

        assertThat(summaries().get("i-1").getEntityId()).isEqualTo("r-i-1");
        assertThat(indexed(StoreKeys.join(IndexKeys.ENTITY, "r-i-1"))).containsExactly("i-1");
    }

    private void send(InstanceTransition transition) {
        transitions.pipeInput(transition.getInstanceId(), transition, transition.getTimestamp());
    }

    private KeyValueStore<String, InstanceSummary> summaries() {
        return driver.getKeyValueStore(QueryTopology.SUMMARIES);
    }

    private List<InstanceTransition> history(String instanceId) {
        KeyValueStore<String, InstanceTransition> store = driver.getKeyValueStore(QueryTopology.HISTORY);
        List<InstanceTransition> history = new ArrayList<>();
        try (KeyValueIterator<String, InstanceTransition> it =
                store.range(StoreKeys.prefix(instanceId), StoreKeys.prefixEnd(instanceId))) {
            it.forEachRemaining(entry -> history.add(entry.value));
        }
        return history;
    }

    private Map<String, Long> counts() {
        KeyValueStore<String, Long> store = driver.getKeyValueStore(QueryTopology.COUNTS);
        Map<String, Long> counts = new TreeMap<>();
        try (KeyValueIterator<String, Long> it = store.all()) {
            it.forEachRemaining(entry -> counts.put(entry.key, entry.value));
        }
        return counts;
    }

    /** The index keys under a prefix ("" for all), in key order. */
    private List<String> keys(String prefix) {
        return entries(prefix).stream().map(entry -> entry.key).toList();
    }

    /** The instance ids an index prefix lists, in key order. */
    private List<String> indexed(String prefix) {
        return entries(prefix).stream().map(entry -> entry.value).toList();
    }

    private List<KeyValue<String, String>> entries(String prefix) {
        KeyValueStore<String, String> store = driver.getKeyValueStore(QueryTopology.INDEX);
        List<KeyValue<String, String>> entries = new ArrayList<>();
        try (KeyValueIterator<String, String> it =
                prefix.isEmpty() ? store.all() : store.range(StoreKeys.prefix(prefix), StoreKeys.prefixEnd(prefix))) {
            it.forEachRemaining(entries::add);
        }
        return entries;
    }

    private static InstanceTransition transition(
            String instanceId, int sequence, InstanceState state, int status, Instant at) {
        return InstanceTransition.newBuilder()
                .setInstanceId(instanceId)
                .setDefinitionId("expenses")
                .setDefinitionVersion(2)
                .setSequence(sequence)
                .setState(state)
                .setStatusCode(status)
                .setTimestamp(at)
                .setEntityType("expense_report")
                .setEntityId("r-" + instanceId)
                .build();
    }
}
