package dev.loopline.runtime.topology;

import dev.loopline.api.Topics;
import dev.loopline.api.internal.BufferedEvent;
import dev.loopline.api.internal.CorrelationCommand;
import dev.loopline.api.internal.DefinitionHealth;
import dev.loopline.api.internal.DefinitionOutcome;
import dev.loopline.api.internal.EarlyAck;
import dev.loopline.api.internal.InstanceCommand;
import dev.loopline.api.internal.InstanceRecord;
import dev.loopline.api.internal.OpenWait;
import dev.loopline.api.internal.OperatorResult;
import dev.loopline.api.internal.RecordRuns;
import dev.loopline.api.internal.ReleaseToken;
import dev.loopline.api.internal.TimerEntry;
import dev.loopline.api.internal.TokenQueue;
import dev.loopline.api.serde.AvroSerdes;
import dev.loopline.api.serde.InternalAvroSerde;
import dev.loopline.api.v1.Acknowledgement;
import dev.loopline.api.v1.InstanceTransition;
import dev.loopline.api.v1.PlatformEvent;
import dev.loopline.api.v1.WorkflowDefinition;
import dev.loopline.api.v1.WorkflowMessage;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

/**
 * Loopline's one topology. Every source, processor, sink and store is named here; nothing is
 * auto-named, because a generated name shifts when a node is added, renames its changelog topic
 * and silently loses state. {@code TopologyDescriptionTest} compares {@code describe()} with a
 * golden file.
 *
 * <p>Why this shape: three keyed halves meet through explicit topics rather than hidden
 * repartitions, so every hand-over can be seen, named, tested and sized (Zeebe's handshake between
 * message and process partitions):
 *
 * <ul>
 *   <li>the event half, keyed by entity id, matches events against subscriptions;
 *   <li>the correlation half, keyed by correlation key, routes events to waiting instances;
 *   <li>the instance half, keyed by instance id, runs instances and their timers.
 * </ul>
 *
 * <pre>
 *  ── application 1 (application id <id>-events): the event half ──
 *  definitions ─▶ [definitions-source] ─▶ (definitions-catalog-updater) ─▶ {definitions-catalog}  global
 *  definition-health ─▶ [definition-health-source] ─▶ (definition-health-updater) ─▶ {definition-health}  global
 *
 *  events ─▶ [events-source] ─▶ (event-matcher) {record-runs, dependency-queues} ─reads─ {definitions-catalog}
 *                                  ├─▶ [starts-sink] ─────▶ instance-commands
 *                                  ├─▶ [correlate-sink] ──▶ correlation-commands
 *                                  └─▶ [started-sink] ────▶ messages ("workflow started" of jobs that start at once)
 *  dependency-commands ─▶ [dependency-commands-source] ─▶ (dependency-processor) {dependency-queues}
 *                                  └─▶ [grants-sink] ─────▶ instance-commands
 *
 *  ── application 2 (application id <id>): definition health, the correlation half, the instance half ──
 *  definition-outcomes ─▶ [definition-outcomes-source] ─▶ (definition-health-processor) {definition-failures}
 *                                  └─▶ [definition-health-sink] ─▶ definition-health
 *
 *  correlation-commands ─▶ [correlation-commands-source] ─▶ (correlation-processor)
 *        {correlation-waits, correlation-buffer, correlation-expiry}
 *                                  └─▶ [deliveries-sink] ─▶ instance-commands
 *
 *  instance-commands ─▶ [instance-commands-source] ─▶ (instance-command-processor) ─┐ {instances, timers, early-acks}
 *  acks ─────────────▶ [acks-source] ─────────────▶ (instance-ack-processor) ──────┤
 *        instance not in this task ─▶ [acks-reroute-sink] ─▶ acks-rerouted (keyed by instance id)
 *  acks-rerouted ────▶ [acks-rerouted-source] ────▶ (rerouted-ack-processor) ──────┤
 *                                      ├─▶ [messages-sink] ─▶ messages
 *                                      ├─▶ [transitions-sink] ─▶ transitions
 *                                      ├─▶ [waits-sink] ─▶ correlation-commands (open/close waits)
 *                                      ├─▶ [releases-sink] ─▶ dependency-commands (completed jobs give tokens back)
 *                                      ├─▶ [outcomes-sink] ─▶ definition-outcomes (succeeded or failed jobs)
 *                                      ├─▶ [workflow-starts-sink] ─▶ events (start-workflow steps' children)
 *                                      ├─▶ [child-commands-sink] ─▶ instance-commands (children's results, cancels)
 *                                      ├─▶ [operator-results-sink] ─▶ operator-results (answers to operators)
 *                                      └─▶ [expired-acks-sink] ─▶ dead-letters (early acks whose instance never started)
 *
 *  definitions ───────▶ [definitions-audit-source] ───────▶ (global-topics-audit)   only unreadable records:
 *  definition-health ─▶ [definition-health-audit-source] ─┘                        to dead-letters
 * </pre>
 *
 * <p>A runtime process runs it as two Kafka Streams applications ({@link #buildParts}): the event
 * half with the two global stores, and the rest. Under exactly_once_v2 a stream thread commits all
 * its tasks in one transaction, so in one application "workflow started" and the start commands
 * waited for the instance half's heavier transaction; on their own they commit every commit interval
 * in a transaction of a few partitions, which shortened the p99 to "workflow started" several times
 * over (docs/benchmarks.md, "Tuning"). Tests run both halves in one
 * topology ({@link #build}) on a {@code TopologyTestDriver}; {@code TopologyDescriptionTest} checks
 * that it is exactly the two parts.
 *
 * <p>Records that cannot be read or applied go to the dead-letter topic through the deserialization
 * and processing exception handlers configured in {@code StreamsSettings}.
 */
public final class LooplineTopology {

    public static final String DEFINITIONS_SOURCE = "definitions-source";
    public static final String DEFINITIONS_CATALOG_UPDATER = "definitions-catalog-updater";
    public static final String DEFINITIONS_STORE = "definitions-catalog";

    public static final String EVENTS_SOURCE = "events-source";
    public static final String EVENT_MATCHER = "event-matcher";
    public static final String RECORD_RUNS_STORE = "record-runs";
    public static final String DEPENDENCY_QUEUES_STORE = "dependency-queues";
    public static final String DEPENDENCY_COMMANDS_SOURCE = "dependency-commands-source";
    public static final String DEPENDENCY_PROCESSOR = "dependency-processor";
    public static final String GRANTS_SINK = "grants-sink";
    public static final String STARTS_SINK = "starts-sink";
    public static final String CORRELATE_SINK = "correlate-sink";

    public static final String CORRELATION_COMMANDS_SOURCE = "correlation-commands-source";
    public static final String CORRELATION_PROCESSOR = "correlation-processor";
    public static final String CORRELATION_WAITS_STORE = "correlation-waits";
    public static final String CORRELATION_BUFFER_STORE = "correlation-buffer";
    public static final String CORRELATION_EXPIRY_STORE = "correlation-expiry";
    public static final String DELIVERIES_SINK = "deliveries-sink";

    public static final String INSTANCE_COMMANDS_SOURCE = "instance-commands-source";
    public static final String ACKS_SOURCE = "acks-source";
    public static final String INSTANCE_COMMAND_PROCESSOR = "instance-command-processor";
    public static final String ACK_PROCESSOR = "instance-ack-processor";
    public static final String ACKS_REROUTE_SINK = "acks-reroute-sink";
    public static final String ACKS_REROUTED_SOURCE = "acks-rerouted-source";
    public static final String REROUTED_ACK_PROCESSOR = "rerouted-ack-processor";
    public static final String INSTANCES_STORE = "instances";
    public static final String TIMERS_STORE = "timers";
    public static final String EARLY_ACKS_STORE = "early-acks";
    public static final String STARTED_SINK = "started-sink";
    public static final String EXPIRED_ACKS_SINK = "expired-acks-sink";
    public static final String MESSAGES_SINK = "messages-sink";
    public static final String TRANSITIONS_SINK = "transitions-sink";
    public static final String WAITS_SINK = "waits-sink";
    public static final String OPERATOR_RESULTS_SINK = "operator-results-sink";
    public static final String RELEASES_SINK = "releases-sink";
    /** On-demand start events of the workflows start-workflow steps start, back to the events topic. */
    public static final String WORKFLOW_STARTS_SINK = "workflow-starts-sink";
    /** Commands between parent and child instances (a child's result, a parent's cancel), back to instance-commands. */
    public static final String CHILD_COMMANDS_SINK = "child-commands-sink";

    public static final String OUTCOMES_SINK = "outcomes-sink";

    public static final String DEFINITION_OUTCOMES_SOURCE = "definition-outcomes-source";
    public static final String DEFINITION_HEALTH_PROCESSOR = "definition-health-processor";
    public static final String DEFINITION_FAILURES_STORE = "definition-failures";
    public static final String DEFINITION_HEALTH_SINK = "definition-health-sink";
    public static final String DEFINITION_HEALTH_SOURCE = "definition-health-source";
    public static final String DEFINITION_HEALTH_UPDATER = "definition-health-updater";
    public static final String DEFINITION_HEALTH_STORE = "definition-health";

    public static final String DEFINITIONS_AUDIT_SOURCE = "definitions-audit-source";
    public static final String DEFINITION_HEALTH_AUDIT_SOURCE = "definition-health-audit-source";
    public static final String GLOBAL_TOPICS_AUDIT = "global-topics-audit";

    private LooplineTopology() {}

    public static Topology build(Topics topics, AvroSerdes serdes) {
        return build(topics, serdes, TopologyOptions.defaults());
    }

    public static Topology build(Topics topics, AvroSerdes serdes, TopologyOptions options) {
        Topology topology = new Topology();
        Nodes nodes = new Nodes(topics, serdes, options);
        nodes.addEventHalf(topology);
        nodes.addInstanceHalf(topology);
        return topology;
    }

    /**
     * The two Kafka Streams applications a runtime process runs: the event half (with the global
     * stores it reads), and the rest. Each has its own stream thread and its own transactions, so
     * the event half's outputs ("workflow started", the start commands) commit in a transaction of
     * a few partitions, without waiting for the instance half's.
     */
    public record Parts(Topology events, Topology instances) {}

    public static Parts buildParts(Topics topics, AvroSerdes serdes, TopologyOptions options) {
        Nodes nodes = new Nodes(topics, serdes, options);
        Topology events = new Topology();
        nodes.addEventHalf(events);
        Topology instances = new Topology();
        nodes.addInstanceHalf(instances);
        nodes.addGlobalTopicsAudit(instances);
        return new Parts(events, instances);
    }

    /** The serdes the nodes share, and the methods that add each half's nodes. */
    private static final class Nodes {
        private final Topics topics;
        private final TopologyOptions options;
        private final Serde<String> keys = Serdes.String();
        private final Serde<WorkflowDefinition> definitions;
        private final Serde<PlatformEvent> events;
        private final Serde<Acknowledgement> acks;
        private final Serde<WorkflowMessage> messages;
        private final Serde<InstanceTransition> transitions;
        private final Serde<InstanceCommand> commands = new InternalAvroSerde<>(InstanceCommand.class);
        private final Serde<CorrelationCommand> correlations = new InternalAvroSerde<>(CorrelationCommand.class);
        private final Serde<DefinitionHealth> health = new InternalAvroSerde<>(DefinitionHealth.class);
        /** Events, acknowledgements and definitions, bounded in size (see InputLimits). */
        private final Deserializer<PlatformEvent> eventsIn;

        private final Deserializer<Acknowledgement> acksIn;
        private final Deserializer<WorkflowDefinition> definitionsIn;

        Nodes(Topics topics, AvroSerdes serdes, TopologyOptions options) {
            this.topics = topics;
            this.options = options;
            this.definitions = serdes.valueSerde(WorkflowDefinition.class);
            this.events = serdes.valueSerde(PlatformEvent.class);
            this.acks = serdes.valueSerde(Acknowledgement.class);
            this.messages = serdes.valueSerde(WorkflowMessage.class);
            this.transitions = serdes.valueSerde(InstanceTransition.class);
            this.eventsIn = InputLimits.bounded(events.deserializer(), options.maxRecordBytes());
            this.acksIn = InputLimits.bounded(acks.deserializer(), options.maxRecordBytes());
            this.definitionsIn = InputLimits.bounded(definitions.deserializer(), options.maxRecordBytes());
        }

        /**
         * The global stores' serde: the topic's serde, reading what it cannot read as absent. A restore
         * may copy the topic's bytes into the store as they are, garbage included.
         */
        private static <T> Serde<T> tolerant(Serde<T> serde) {
            return Serdes.serdeFrom(serde.serializer(), InputLimits.absentIfUnreadable(serde.deserializer()));
        }

        /** The event half, keyed by entity id, and the two global stores its matcher reads. */
        void addEventHalf(Topology topology) {
            // raised by the catalog updater after each write; the event matchers' cached catalogs compare it
            AtomicLong catalogChanges = new AtomicLong();
            topology.addGlobalStore(
                    Stores.keyValueStoreBuilder(
                                    Stores.persistentKeyValueStore(DEFINITIONS_STORE),
                                    keys,
                                    // the same serde as the topic: a restore may copy the topic's bytes as they are
                                    tolerant(definitions))
                            .withLoggingDisabled(), // the compacted definitions topic is its changelog
                    DEFINITIONS_SOURCE,
                    keys.deserializer(),
                    InputLimits.absentIfUnreadable(definitionsIn),
                    topics.definitions(),
                    DEFINITIONS_CATALOG_UPDATER,
                    () -> new DefinitionCatalogUpdater(catalogChanges));
            topology.addGlobalStore(
                    Stores.keyValueStoreBuilder(
                                    Stores.persistentKeyValueStore(DEFINITION_HEALTH_STORE), keys, tolerant(health))
                            .withLoggingDisabled(), // the compacted definition-health topic is its changelog
                    DEFINITION_HEALTH_SOURCE,
                    keys.deserializer(),
                    InputLimits.absentIfUnreadable(health.deserializer()),
                    topics.definitionHealth(),
                    DEFINITION_HEALTH_UPDATER,
                    DefinitionHealthUpdater::new);

            topology.addSource(EVENTS_SOURCE, keys.deserializer(), eventsIn, topics.events());
            topology.addProcessor(EVENT_MATCHER, () -> new EventMatcher(options, catalogChanges), EVENTS_SOURCE);
            topology.addStateStore(
                    Stores.keyValueStoreBuilder(
                            Stores.persistentKeyValueStore(RECORD_RUNS_STORE),
                            keys,
                            new InternalAvroSerde<>(RecordRuns.class)),
                    EVENT_MATCHER);
            topology.addSource(
                    DEPENDENCY_COMMANDS_SOURCE,
                    keys.deserializer(),
                    new InternalAvroSerde<>(ReleaseToken.class).deserializer(),
                    topics.dependencyCommands());
            topology.addProcessor(DEPENDENCY_PROCESSOR, DependencyProcessor::new, DEPENDENCY_COMMANDS_SOURCE);
            topology.addStateStore(
                    Stores.keyValueStoreBuilder(
                            Stores.persistentKeyValueStore(DEPENDENCY_QUEUES_STORE),
                            keys,
                            new InternalAvroSerde<>(TokenQueue.class)),
                    EVENT_MATCHER,
                    DEPENDENCY_PROCESSOR);
            topology.addSink(
                    GRANTS_SINK,
                    topics.instanceCommands(),
                    keys.serializer(),
                    commands.serializer(),
                    DEPENDENCY_PROCESSOR);
            topology.addSink(
                    STARTS_SINK, topics.instanceCommands(), keys.serializer(), commands.serializer(), EVENT_MATCHER);
            topology.addSink(
                    CORRELATE_SINK,
                    topics.correlationCommands(),
                    keys.serializer(),
                    correlations.serializer(),
                    EVENT_MATCHER);
            topology.addSink(STARTED_SINK, topics.messages(), keys.serializer(), messages.serializer(), EVENT_MATCHER);
        }

        /** Definition health, the correlation half and the instance half. */
        void addInstanceHalf(Topology topology) {
            // Each definition's failures in a row, keyed by definition id.
            topology.addSource(
                    DEFINITION_OUTCOMES_SOURCE,
                    keys.deserializer(),
                    new InternalAvroSerde<>(DefinitionOutcome.class).deserializer(),
                    topics.definitionOutcomes());
            topology.addProcessor(
                    DEFINITION_HEALTH_PROCESSOR, DefinitionHealthProcessor::new, DEFINITION_OUTCOMES_SOURCE);
            topology.addStateStore(
                    Stores.keyValueStoreBuilder(
                            Stores.persistentKeyValueStore(DEFINITION_FAILURES_STORE), keys, health),
                    DEFINITION_HEALTH_PROCESSOR);
            topology.addSink(
                    DEFINITION_HEALTH_SINK,
                    topics.definitionHealth(),
                    keys.serializer(),
                    health.serializer(),
                    DEFINITION_HEALTH_PROCESSOR);
            addCorrelationHalf(topology);
            // The instance half, keyed by instance id.
            topology.addSource(
                    INSTANCE_COMMANDS_SOURCE, keys.deserializer(), commands.deserializer(), topics.instanceCommands());
            topology.addSource(ACKS_SOURCE, keys.deserializer(), acksIn, topics.acks());
            topology.addProcessor(
                    INSTANCE_COMMAND_PROCESSOR,
                    () -> new InstanceCommandProcessor(options, topics.acks()),
                    INSTANCE_COMMANDS_SOURCE);
            topology.addProcessor(ACK_PROCESSOR, () -> new AcknowledgementProcessor(options, true), ACKS_SOURCE);
            // acknowledgements that arrived on another partition than their instance's, as the acks
            // topic's bytes: a dead letter of either topic can be replayed to acks
            Serializer<Acknowledgement> ackBytes =
                    (topic, ack) -> acks.serializer().serialize(topics.acks(), ack);
            topology.addSink(ACKS_REROUTE_SINK, topics.acksRerouted(), keys.serializer(), ackBytes, ACK_PROCESSOR);
            topology.addSource(ACKS_REROUTED_SOURCE, keys.deserializer(), acksIn, topics.acksRerouted());
            topology.addProcessor(
                    REROUTED_ACK_PROCESSOR, () -> new AcknowledgementProcessor(options, false), ACKS_REROUTED_SOURCE);
            topology.addStateStore(
                    Stores.keyValueStoreBuilder(
                            Stores.persistentKeyValueStore(INSTANCES_STORE),
                            keys,
                            new InternalAvroSerde<>(InstanceRecord.class)),
                    INSTANCE_COMMAND_PROCESSOR,
                    ACK_PROCESSOR,
                    REROUTED_ACK_PROCESSOR);
            topology.addStateStore(
                    Stores.keyValueStoreBuilder(
                            Stores.persistentKeyValueStore(TIMERS_STORE),
                            keys,
                            new InternalAvroSerde<>(TimerEntry.class)),
                    INSTANCE_COMMAND_PROCESSOR,
                    ACK_PROCESSOR,
                    REROUTED_ACK_PROCESSOR);
            topology.addStateStore(
                    Stores.keyValueStoreBuilder(
                            Stores.persistentKeyValueStore(EARLY_ACKS_STORE),
                            keys,
                            new InternalAvroSerde<>(EarlyAck.class)),
                    INSTANCE_COMMAND_PROCESSOR,
                    ACK_PROCESSOR,
                    REROUTED_ACK_PROCESSOR);
            String[] instanceProcessors = {INSTANCE_COMMAND_PROCESSOR, ACK_PROCESSOR, REROUTED_ACK_PROCESSOR};
            topology.addSink(
                    MESSAGES_SINK, topics.messages(), keys.serializer(), messages.serializer(), instanceProcessors);
            topology.addSink(
                    TRANSITIONS_SINK,
                    topics.transitions(),
                    keys.serializer(),
                    transitions.serializer(),
                    instanceProcessors);
            topology.addSink(
                    WAITS_SINK,
                    topics.correlationCommands(),
                    keys.serializer(),
                    correlations.serializer(),
                    instanceProcessors);
            topology.addSink(
                    OUTCOMES_SINK,
                    topics.definitionOutcomes(),
                    keys.serializer(),
                    new InternalAvroSerde<>(DefinitionOutcome.class).serializer(),
                    instanceProcessors);
            topology.addSink(
                    RELEASES_SINK,
                    topics.dependencyCommands(),
                    keys.serializer(),
                    new InternalAvroSerde<>(ReleaseToken.class).serializer(),
                    instanceProcessors);
            topology.addSink(
                    WORKFLOW_STARTS_SINK, topics.events(), keys.serializer(), events.serializer(), instanceProcessors);
            topology.addSink(
                    CHILD_COMMANDS_SINK,
                    topics.instanceCommands(),
                    keys.serializer(),
                    commands.serializer(),
                    instanceProcessors);
            // expired early acknowledgements, as the acks topic's bytes (see EarlyAcks)
            topology.addSink(
                    EXPIRED_ACKS_SINK, topics.deadLetters(), keys.serializer(), ackBytes, INSTANCE_COMMAND_PROCESSOR);
            topology.addSink(
                    OPERATOR_RESULTS_SINK,
                    topics.operatorResults(),
                    keys.serializer(),
                    new InternalAvroSerde<>(OperatorResult.class).serializer(),
                    INSTANCE_COMMAND_PROCESSOR);
        }

        /**
         * The two global topics read once more, as ordinary sources of the instance half's
         * application, so that a record the global stores read as absent reaches the dead-letter
         * topic exactly once, with its reason and the input's offset committed (the global thread has
         * no producer, and restores its topic at every start); see {@link GlobalTopicsAudit}. Not in
         * {@link #build}: one topology cannot read a topic both into a global store and as a source.
         */
        void addGlobalTopicsAudit(Topology topology) {
            Deserializer<byte[]> bytes = Serdes.ByteArray().deserializer();
            topology.addSource(DEFINITIONS_AUDIT_SOURCE, keys.deserializer(), bytes, topics.definitions());
            topology.addSource(DEFINITION_HEALTH_AUDIT_SOURCE, keys.deserializer(), bytes, topics.definitionHealth());
            Map<String, Deserializer<?>> readers =
                    Map.of(topics.definitions(), definitionsIn, topics.definitionHealth(), health.deserializer());
            topology.addProcessor(
                    GLOBAL_TOPICS_AUDIT,
                    () -> new GlobalTopicsAudit(readers),
                    DEFINITIONS_AUDIT_SOURCE,
                    DEFINITION_HEALTH_AUDIT_SOURCE);
        }

        /** The correlation half, keyed by correlation key. */
        private void addCorrelationHalf(Topology topology) {
            // The correlation half, keyed by correlation key.
            topology.addSource(
                    CORRELATION_COMMANDS_SOURCE,
                    keys.deserializer(),
                    correlations.deserializer(),
                    topics.correlationCommands());
            topology.addProcessor(
                    CORRELATION_PROCESSOR, () -> new CorrelationProcessor(options), CORRELATION_COMMANDS_SOURCE);
            topology.addStateStore(
                    Stores.keyValueStoreBuilder(
                            Stores.persistentKeyValueStore(CORRELATION_WAITS_STORE),
                            keys,
                            new InternalAvroSerde<>(OpenWait.class)),
                    CORRELATION_PROCESSOR);
            topology.addStateStore(
                    Stores.keyValueStoreBuilder(
                            Stores.persistentKeyValueStore(CORRELATION_BUFFER_STORE),
                            keys,
                            new InternalAvroSerde<>(BufferedEvent.class)),
                    CORRELATION_PROCESSOR);
            topology.addStateStore(
                    Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(CORRELATION_EXPIRY_STORE), keys, keys),
                    CORRELATION_PROCESSOR);
            topology.addSink(
                    DELIVERIES_SINK,
                    topics.instanceCommands(),
                    keys.serializer(),
                    commands.serializer(),
                    CORRELATION_PROCESSOR);
        }
    }
}
