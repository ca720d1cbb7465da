package dev.loopline.runtime.topology;

import dev.loopline.api.Topics;
import dev.loopline.api.internal.InstanceCommand;
import dev.loopline.api.internal.InstanceRecord;
import dev.loopline.api.serde.AvroSerdes;
import dev.loopline.api.serde.InternalAvroSerde;
import dev.loopline.api.v1.Acknowledgement;
import dev.loopline.api.v1.InstanceTransition;
import dev.loopline.api.v1.PlatformEvent;
import dev.loopline.api.v1.WorkflowDefinition;
import dev.loopline.api.v1.WorkflowMessage;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

/**
 * Loopline's one topology. Every source, processor, sink and store is named here; nothing is
 * auto-named, because a generated name shifts when a node is added, renames its changelog topic
 * and silently loses state. {@code LooplineTopologyTest} compares {@code describe()} with a golden
 * file.
 *
 * <p>Why this shape: events are keyed by entity id, instances by instance id. The two halves meet
 * through the explicit instance-commands topic rather than a hidden repartition, so the hand-over
 * can be seen, named, tested and sized.
 *
 * <pre>
 *  definitions ─▶ [definitions-source] ─▶ (definitions-catalog-updater) ─▶ {definitions-catalog}  global
 *
 *  events ─▶ [events-source] ─▶ (event-matcher) ─reads─ {definitions-catalog}
 *                                      └─▶ [instance-commands-sink] ─▶ instance-commands
 *
 *  instance-commands ─▶ [instance-commands-source] ─▶ (instance-start-processor) ─┐
 *  acks ─────────────▶ [acks-source] ─────────────▶ (instance-ack-processor) ────┤ {instances}
 *                                                                                ├─▶ [messages-sink] ─▶ messages
 *                                                                                └─▶ [transitions-sink] ─▶ transitions
 * </pre>
 *
 * Records that cannot be read or applied go to the dead-letter topic through the deserialization
 * and processing exception handlers configured in {@code StreamsSettings}.
 */
public final class LooplineTopology {

    public static final String DEFINITIONS_SOURCE = "definitions-source";
    public static final String DEFINITIONS_CATALOG_UPDATER = "definitions-catalog-updater";
    public static final String DEFINITIONS_STORE = "definitions-catalog";

    public static final String EVENTS_SOURCE = "events-source";
    public static final String EVENT_MATCHER = "event-matcher";
    public static final String INSTANCE_COMMANDS_SINK = "instance-commands-sink";

    public static final String INSTANCE_COMMANDS_SOURCE = "instance-commands-source";
    public static final String ACKS_SOURCE = "acks-source";
    public static final String START_PROCESSOR = "instance-start-processor";
    public static final String ACK_PROCESSOR = "instance-ack-processor";
    public static final String INSTANCES_STORE = "instances";
    public static final String MESSAGES_SINK = "messages-sink";
    public static final String TRANSITIONS_SINK = "transitions-sink";

    private LooplineTopology() {}

    public static Topology build(Topics topics, AvroSerdes serdes) {
        Serde<String> keys = Serdes.String();
        Serde<WorkflowDefinition> definitions = serdes.valueSerde(WorkflowDefinition.class);
        Serde<PlatformEvent> events = serdes.valueSerde(PlatformEvent.class);
        Serde<Acknowledgement> acks = serdes.valueSerde(Acknowledgement.class);
        Serde<WorkflowMessage> messages = serdes.valueSerde(WorkflowMessage.class);
        Serde<InstanceTransition> transitions = serdes.valueSerde(InstanceTransition.class);
        Serde<InstanceCommand> commands = new InternalAvroSerde<>(InstanceCommand.class);

        Topology topology = new Topology();

        topology.addGlobalStore(
                Stores.keyValueStoreBuilder(
                                Stores.persistentKeyValueStore(DEFINITIONS_STORE),
                                keys,
                                // the same serde as the topic: a restore may copy the topic's bytes as they are
                                definitions)
                        .withLoggingDisabled(), // the compacted definitions topic is its changelog
                DEFINITIONS_SOURCE,
                keys.deserializer(),
                definitions.deserializer(),
                topics.definitions(),
                DEFINITIONS_CATALOG_UPDATER,
                DefinitionCatalogUpdater::new);

        topology.addSource(EVENTS_SOURCE, keys.deserializer(), events.deserializer(), topics.events());
        topology.addProcessor(EVENT_MATCHER, EventMatcher::new, EVENTS_SOURCE);
        topology.addSink(
                INSTANCE_COMMANDS_SINK,
                topics.instanceCommands(),
                keys.serializer(),
                commands.serializer(),
                EVENT_MATCHER);

        topology.addSource(
                INSTANCE_COMMANDS_SOURCE, keys.deserializer(), commands.deserializer(), topics.instanceCommands());
        topology.addSource(ACKS_SOURCE, keys.deserializer(), acks.deserializer(), topics.acks());
        topology.addProcessor(START_PROCESSOR, StartProcessor::new, INSTANCE_COMMANDS_SOURCE);
        topology.addProcessor(ACK_PROCESSOR, AcknowledgementProcessor::new, ACKS_SOURCE);
        topology.addStateStore(
                Stores.keyValueStoreBuilder(
                        Stores.persistentKeyValueStore(INSTANCES_STORE),
                        keys,
                        new InternalAvroSerde<>(InstanceRecord.class)),
                START_PROCESSOR,
                ACK_PROCESSOR);
        topology.addSink(
                MESSAGES_SINK,
                topics.messages(),
                keys.serializer(),
                messages.serializer(),
                START_PROCESSOR,
                ACK_PROCESSOR);
        topology.addSink(
                TRANSITIONS_SINK,
                topics.transitions(),
                keys.serializer(),
                transitions.serializer(),
                START_PROCESSOR,
                ACK_PROCESSOR);
        return topology;
    }
}
