package dev.loopline.runtime.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loopline.api.Topics;
import dev.loopline.api.serde.AvroSerdes;
import dev.loopline.api.serde.MockSchemaRegistry;
import dev.loopline.api.v1.Acknowledgement;
import dev.loopline.api.v1.InstanceTransition;
import dev.loopline.api.v1.PlatformEvent;
import dev.loopline.api.v1.WorkflowDefinition;
import dev.loopline.api.v1.WorkflowMessage;
import dev.loopline.runtime.config.RuntimeConfig;
import dev.loopline.runtime.config.StreamsSettings;
import dev.loopline.runtime.domain.Fixtures;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * Base of the topology tests: the whole topology on TopologyTestDriver, with the runtime's real
 * Streams settings, an in-memory registry scope of its own, and typed input and output topics, new
 * for each test. Subclasses say which runtime settings and wall-clock start they need.
 */
abstract class TopologyHarness {

    protected final String scope = UUID.randomUUID().toString();
    protected RuntimeConfig config;
    protected Topics topics;
    protected AvroSerdes serdes;
    protected TopologyTestDriver driver;
    protected TestInputTopic<String, WorkflowDefinition> definitions;
    protected TestInputTopic<String, PlatformEvent> events;
    protected TestInputTopic<String, byte[]> rawEvents;
    protected TestInputTopic<String, Acknowledgement> acks;
    protected TestOutputTopic<String, Acknowledgement> rerouted;
    protected TestOutputTopic<String, WorkflowMessage> messages;
    protected TestOutputTopic<String, InstanceTransition> transitions;
    protected TestOutputTopic<byte[], byte[]> deadLetters;

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
        definitions = driver.createInputTopic(
                topics.definitions(),
                keys,
                serdes.valueSerde(WorkflowDefinition.class).serializer());
        events = driver.createInputTopic(
                topics.events(), keys, serdes.valueSerde(PlatformEvent.class).serializer());
        rawEvents = driver.createInputTopic(topics.events(), keys, new ByteArraySerializer());
        acks = driver.createInputTopic(
                topics.acks(), keys, serdes.valueSerde(Acknowledgement.class).serializer());
        rerouted = driver.createOutputTopic(
                topics.acksRerouted(),
                new StringDeserializer(),
                serdes.valueSerde(Acknowledgement.class).deserializer());
        messages = driver.createOutputTopic(
                topics.messages(),
                new StringDeserializer(),
                serdes.valueSerde(WorkflowMessage.class).deserializer());
        transitions = driver.createOutputTopic(
                topics.transitions(),
                new StringDeserializer(),
                serdes.valueSerde(InstanceTransition.class).deserializer());
        deadLetters = driver.createOutputTopic(
                topics.deadLetters(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    /** A header of a record, as text; it must be there. */
    protected static String header(TestRecord<byte[], byte[]> record, String name) {
        Header header = record.headers().lastHeader(name);
        assertThat(header).as("header %s", name).isNotNull();
        return new String(header.value(), StandardCharsets.UTF_8);
    }

    @AfterEach
    final void closeDriver() {
        driver.close();
        MockSchemaRegistry.drop(scope);
    }
}
