package dev.loopline.runtime.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loopline.api.Topics;
import dev.loopline.api.internal.InstanceRecord;
import dev.loopline.api.serde.AvroSerdes;
import dev.loopline.api.serde.MockSchemaRegistry;
import dev.loopline.api.v1.AckError;
import dev.loopline.api.v1.Acknowledgement;
import dev.loopline.api.v1.DefinitionStatus;
import dev.loopline.api.v1.InstanceTransition;
import dev.loopline.api.v1.Outcome;
import dev.loopline.api.v1.PlatformEvent;
import dev.loopline.api.v1.WorkflowDefinition;
import dev.loopline.api.v1.WorkflowMessage;
import dev.loopline.definition.DefinitionCompiler;
import dev.loopline.runtime.config.RuntimeConfig;
import dev.loopline.runtime.config.StreamsSettings;
import dev.loopline.runtime.domain.Fixtures;
import dev.loopline.runtime.domain.InstanceIds;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * Base of the topology tests: the whole topology on TopologyTestDriver, with the runtime's real
 * Streams settings and an in-memory registry scope of its own, new for each test. Subclasses say
 * which runtime settings and wall-clock start they need.
 *
 * <p>Tests drive it through small clients for its inputs ({@link #definitions()}, {@link #events()},
 * {@link #acks()}, {@link #clock()}) and read what it wrote from {@link #recorded()}, which keeps
 * every record of every output topic: reading never consumes, so one query cannot hide records from
 * the next. What the stores hold is read with {@link #store(String)}.
 */
abstract class TopologyHarness {

    /** The id and name of the definition {@link Definitions#deploy(String)} writes. */
    protected static final String FLOW = "flow";

    protected final String scope = UUID.randomUUID().toString();
    protected RuntimeConfig config;
    protected Topics topics;
    protected AvroSerdes serdes;
    protected TopologyTestDriver driver;

    private TestInputTopic<String, WorkflowDefinition> definitionsIn;
    private TestInputTopic<String, PlatformEvent> eventsIn;
    private TestInputTopic<String, Acknowledgement> acksIn;
    private final Map<String, TestInputTopic<String, byte[]>> rawInputs = new HashMap<>();
    /** Every output topic read so far, typed where the tests look into the values. */
    private final Map<String, TestOutputTopic<?, ?>> outputs = new HashMap<>();
    /** Every record each output topic received, in order; topics appear once they have one. */
    private final Map<String, List<TestRecord<?, ?>>> log = new TreeMap<>();
    /** How many of the recorded messages {@link Acks#succeedNext()} has answered. */
    private int answered;

    /** Runtime settings on top of the harness's registry and state directory. */
    protected Map<String, String> settings() {
        return Map.of();
    }

    /** What the processors report to: nothing, unless a test watches. */
    protected Telemetry telemetry() {
        return Telemetry.none();
    }

    /** The driver's wall clock at the start. */
    protected abstract Instant wallClockStart();

    @BeforeEach
    final void startDriver() {
        Map<String, String> all = new HashMap<>(settings());
        all.put("LOOPLINE_SCHEMA_REGISTRY_URL", "mock://" + scope);
        all.put("LOOPLINE_STATE_DIR", System.getProperty("java.io.tmpdir") + "/loopline-ttd-" + scope);
        config = RuntimeConfig.from(all);
        topics = config.topics();
        serdes = new AvroSerdes(StreamsSettings.serdeConfig(config));
        Telemetry telemetry = telemetry();
        Properties streamsSettings = StreamsSettings.of(config);
        streamsSettings.put(Telemetry.CONFIG, telemetry);
        driver = new TopologyTestDriver(
                LooplineTopology.build(
                        topics,
                        serdes,
                        config.topologyOptions()
                                .withReplyTokens(Fixtures.TOKENS)
                                .withTelemetry(telemetry)),
                streamsSettings,
                wallClockStart());
        var keys = new StringSerializer();
        definitionsIn = driver.createInputTopic(
                topics.definitions(),
                keys,
                serdes.valueSerde(WorkflowDefinition.class).serializer());
        eventsIn = driver.createInputTopic(
                topics.events(), keys, serdes.valueSerde(PlatformEvent.class).serializer());
        acksIn = driver.createInputTopic(
                topics.acks(), keys, serdes.valueSerde(Acknowledgement.class).serializer());
        typedOutput(topics.messages(), WorkflowMessage.class);
        typedOutput(topics.transitions(), InstanceTransition.class);
        typedOutput(topics.acksRerouted(), Acknowledgement.class);
    }

    @AfterEach
    final void closeDriver() {
        driver.close();
        MockSchemaRegistry.drop(scope);
    }

    protected final Definitions definitions() {
        return new Definitions();
    }

    protected final Events events() {
        return new Events(null);
    }

    protected final Acks acks() {
        return new Acks(null);
    }

    protected final Clock clock() {
        return new Clock();
    }

    /** Everything the topology wrote since the test began. */
    protected final Recording recorded() {
        return new Recording(Map.of());
    }

    /** A store's entries, in its order. */
    protected final <V> List<KeyValue<String, V>> store(String name) {
        KeyValueStore<String, V> store = driver.getKeyValueStore(name);
        List<KeyValue<String, V>> entries = new ArrayList<>();
        try (var all = store.all()) {
            all.forEachRemaining(entries::add);
        }
        return entries;
    }

    /** What the instances store holds for this instance, or null. */
    protected final InstanceRecord storedInstance(String instanceId) {
        return driver.<String, InstanceRecord>getKeyValueStore(LooplineTopology.INSTANCES_STORE)
                .get(instanceId);
    }

    /** Writes bytes as they are to a topic, as a producer that knows nothing of the schemas could. */
    protected final void publishRaw(String topic, String key, byte[] value) {
        rawInputs
                .computeIfAbsent(
                        topic, name -> driver.createInputTopic(name, new StringSerializer(), new ByteArraySerializer()))
                .pipeInput(key, value);
    }

    /** A header of a record, as text; it must be there. */
    protected static String header(TestRecord<?, ?> record, String name) {
        Header header = record.headers().lastHeader(name);
        assertThat(header).as("header %s", name).isNotNull();
        return new String(header.value(), StandardCharsets.UTF_8);
    }

    /** An acknowledgement of this message that echoes its reply token: succeeded, no output. */
    protected static Acknowledgement succeeded(WorkflowMessage message) {
        return Acknowledgement.newBuilder()
                .setMessageId(message.getMessageId())
                .setReplyToken(message.getReplyToken())
                .setInstanceId(message.getInstanceId())
                .setOutcome(Outcome.SUCCEEDED)
                .build();
    }

    /** An acknowledgement of this message of this instance with the tests' reply token: succeeded, no output. */
    protected static Acknowledgement.Builder answer(String instanceId, String messageId) {
        return Acknowledgement.newBuilder()
                .setMessageId(messageId)
                .setReplyToken(Fixtures.TOKEN)
                .setInstanceId(instanceId)
                .setOutcome(Outcome.SUCCEEDED);
    }

    /**
     * Writes records as they come; a record without a time of its own takes the input topic's clock,
     * as TestInputTopic does.
     */
    private static <V> void pipe(TestInputTopic<String, V> topic, String key, V value, Headers headers, Instant at) {
        topic.pipeInput(new TestRecord<>(key, value, headers == null ? new RecordHeaders() : headers, at));
    }

    /** The definitions topic. The runtime reads a definition's key and value, not its record time. */
    protected final class Definitions {

        /** Writes this definition, keyed by its id, whatever its status. */
        public void publish(WorkflowDefinition definition) {
            pipe(definitionsIn, definition.getId(), definition, null, null);
        }

        /** The seeds' expense approval, active: it starts on every submitted expense report. */
        public void activateExpenseApproval() {
            publish(Fixtures.expenseApproval(DefinitionStatus.ACTIVE));
        }

        /**
         * Compiles and activates the definition "flow" ({@link #FLOW}), started by order "Create" events, with
         * these document steps.
         */
        public WorkflowDefinition deploy(String steps) {
            String document = """
                    {"id":"%s","name":"%s","trigger":{"entityType":"order","messageName":"Create"},"steps":[%s]}""".formatted(FLOW, FLOW, steps);
            WorkflowDefinition definition = WorkflowDefinition.newBuilder(
                            new DefinitionCompiler().compile(document, wallClockStart()))
                    .setStatus(DefinitionStatus.ACTIVE)
                    .setVersion(1)
                    .build();
            publish(definition);
            return definition;
        }

        public void publishRaw(String key, byte[] value) {
            TopologyHarness.this.publishRaw(topics.definitions(), key, value);
        }
    }

    /** The events topic; events are keyed by their entity id. */
    protected final class Events {

        private final Instant at;

        private Events(Instant at) {
            this.at = at;
        }

        /** The same client, writing records with this timestamp. */
        public Events at(Instant time) {
            return new Events(time);
        }

        public void publish(PlatformEvent event) {
            publish(event, null);
        }

        public void publish(PlatformEvent event, Headers headers) {
            pipe(eventsIn, event.getEntityId(), event, headers, at);
        }

        public void publishRaw(String key, byte[] value) {
            TopologyHarness.this.publishRaw(topics.events(), key, value);
        }
    }

    /** The acks topic: what the application answers to the runtime's messages. */
    protected final class Acks {

        private final Instant at;

        private Acks(Instant at) {
            this.at = at;
        }

        /** The same client, writing records with this timestamp. */
        public Acks at(Instant time) {
            return new Acks(time);
        }

        /** Writes this acknowledgement keyed by its instance, as the application should. */
        public void send(Acknowledgement ack) {
            send(ack.getInstanceId(), ack);
        }

        /** Writes this acknowledgement under any key, null included. */
        public void send(String key, Acknowledgement ack) {
            pipe(acksIn, key, ack, null, at);
        }

        /** Answers this message as succeeded, echoing its reply token. */
        public void succeed(WorkflowMessage message) {
            send(succeeded(message));
        }

        /** Answers this message of this instance as succeeded, with the tests' reply token. */
        public void succeed(String instanceId, String messageId) {
            send(answer(instanceId, messageId).build());
        }

        /** Answers this message of this instance as failed, with the tests' reply token. */
        public void fail(String instanceId, String messageId, AckError error) {
            send(answer(instanceId, messageId)
                    .setOutcome(Outcome.FAILED)
                    .setError(error)
                    .build());
        }

        /** Answers the "workflow started" message of this instance as succeeded. */
        public void acknowledgeStarted(String instanceId) {
            succeed(instanceId, InstanceIds.startedMessageId(instanceId));
        }

        /**
         * Answers the oldest message this method has not answered yet as succeeded, as a handler
         * reading the messages topic in order would; there must be one.
         */
        public WorkflowMessage succeedNext() {
            List<WorkflowMessage> unanswered = unanswered();
            assertThat(unanswered).as("a message to answer").isNotEmpty();
            WorkflowMessage next = unanswered.get(0);
            answered++;
            succeed(next);
            return next;
        }

        /** The messages posted that {@link #succeedNext()} has not come to yet. */
        public List<WorkflowMessage> unanswered() {
            List<WorkflowMessage> all = recorded().messages();
            return all.subList(answered, all.size());
        }
    }

    /** The driver's wall clock, which fires the runtime's wall-clock punctuators. */
    protected final class Clock {

        public void advance(Duration duration) {
            driver.advanceWallClockTime(duration);
        }
    }

    /**
     * What the output topics received, from a starting point on: each query first records what
     * arrived since the last one, and leaves it recorded for the next.
     */
    protected final class Recording {

        /** Per topic, how many of its records came before this view's start. */
        private final Map<String, Integer> start;

        private Recording(Map<String, Integer> start) {
            this.start = start;
        }

        /** Only what arrives after this call. */
        public Recording fromNowOn() {
            drain();
            Map<String, Integer> now = new HashMap<>();
            log.forEach((topic, records) -> now.put(topic, records.size()));
            return new Recording(now);
        }

        public List<TestRecord<String, WorkflowMessage>> messageRecords() {
            return records(topics.messages());
        }

        public List<WorkflowMessage> messages() {
            return values(messageRecords());
        }

        public List<WorkflowMessage> messagesOf(String instanceId) {
            return messages().stream()
                    .filter(m -> m.getInstanceId().equals(instanceId))
                    .toList();
        }

        /** The messages other than "workflow started". */
        public List<WorkflowMessage> stepMessages() {
            return messages().stream()
                    .filter(m -> !m.getMessageName().equals("WorkflowStarted"))
                    .toList();
        }

        /** The transitions' records, tombstones included. */
        public List<TestRecord<String, InstanceTransition>> transitionRecords() {
            return records(topics.transitions());
        }

        /** The transitions, a tombstone as null. */
        public List<InstanceTransition> transitions() {
            return values(transitionRecords());
        }

        public List<InstanceTransition> transitionsOf(String instanceId) {
            return transitions().stream()
                    .filter(t -> t != null && t.getInstanceId().equals(instanceId))
                    .toList();
        }

        public List<Integer> statusCodes() {
            return transitions().stream().map(InstanceTransition::getStatusCode).toList();
        }

        /** The status code of the instance's latest transition; it must have one. */
        public int lastStatus(String instanceId) {
            List<InstanceTransition> own = transitionsOf(instanceId);
            assertThat(own).as("transitions of %s", instanceId).isNotEmpty();
            return own.get(own.size() - 1).getStatusCode();
        }

        /** The dead letters as written: raw bytes, the reason in the headers. */
        public List<TestRecord<byte[], byte[]>> deadLetters() {
            return records(topics.deadLetters());
        }

        /** Acknowledgements sent on to the partition of their instance. */
        public List<TestRecord<String, Acknowledgement>> rerouted() {
            return records(topics.acksRerouted());
        }

        /** How many records each topic the topology wrote to received, changelogs included. */
        public Map<String, Integer> recordsPerTopic() {
            drain();
            Map<String, Integer> counts = new TreeMap<>();
            log.forEach((topic, records) -> counts.put(topic, records.size() - start.getOrDefault(topic, 0)));
            return counts;
        }

        @SuppressWarnings("unchecked")
        private <K, V> List<TestRecord<K, V>> records(String topic) {
            drain();
            List<TestRecord<?, ?>> all = log.getOrDefault(topic, List.of());
            List<TestRecord<K, V>> from = new ArrayList<>();
            for (TestRecord<?, ?> record : all.subList(start.getOrDefault(topic, 0), all.size())) {
                from.add((TestRecord<K, V>) record);
            }
            return from;
        }

        private static <V> List<V> values(List<? extends TestRecord<?, V>> records) {
            List<V> values = new ArrayList<>();
            records.forEach(record -> values.add(record.value()));
            return values;
        }
    }

    /** Moves what every output topic received since the last call from the driver into the log. */
    private void drain() {
        for (String topic : List.copyOf(driver.producedTopicNames())) {
            TestOutputTopic<?, ?> output = outputs.computeIfAbsent(
                    topic,
                    name -> driver.createOutputTopic(name, new ByteArrayDeserializer(), new ByteArrayDeserializer()));
            log.computeIfAbsent(topic, name -> new ArrayList<>()).addAll(output.readRecordsToList());
        }
    }

    private <V extends SpecificRecord> void typedOutput(String topic, Class<V> type) {
        outputs.put(
                topic,
                driver.createOutputTopic(
                        topic, new StringDeserializer(), serdes.valueSerde(type).deserializer()));
    }
}
