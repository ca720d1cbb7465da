package dev.loopline.gateway.query.streams;

import dev.loopline.api.Topics;
import dev.loopline.api.internal.InstanceSummary;
import dev.loopline.api.internal.MessageEntry;
import dev.loopline.api.serde.InternalAvroSerde;
import dev.loopline.api.v1.Acknowledgement;
import dev.loopline.api.v1.InstanceTransition;
import dev.loopline.api.v1.WorkflowMessage;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

/**
 * The query side: a Kafka Streams application of its own that reads {@code loopline.transitions}
 * and keeps, per partition of it, what the query API answers from: each instance's summary and
 * history, a secondary index per list filter, and counts. Every store is keyed by instance id or
 * derived from one instance's records, so a partition's stores hold exactly its partition's
 * instances; a query by id goes to the process that owns the id's partition, a list or a count
 * asks every process and merges.
 *
 * <pre>
 * transitions (source) ──▶ index-transition ──▶ query-summaries, query-history, query-index, query-counts
 *                                              └▶ query-messages (an instance's messages go with it)
 * messages (messages-source) ──▶ track-message ──▶ query-messages
 * acks (acks-source), acks-rerouted (acks-rerouted-source) ──▶ track-answer ──▶ query-messages
 * </pre>
 *
 * The four topics are keyed by instance id and have the same partitions (co-partitioned). The
 * messages and acks sources read leniently: a record the runtime dead-letters is skipped here, not
 * dead-lettered twice.
 *
 * Names are fixed: a store renamed is a store rebuilt from its changelog.
 */
public final class QueryTopology {

    public static final String SOURCE = "transitions";
    public static final String INDEXER = "index-transition";
    public static final String SUMMARIES = "query-summaries";
    public static final String HISTORY = "query-history";
    public static final String INDEX = "query-index";
    public static final String COUNTS = "query-counts";
    public static final String MESSAGES_SOURCE = "messages-source";
    public static final String ACKS_SOURCE = "acks-source";
    public static final String ACKS_REROUTED_SOURCE = "acks-rerouted-source";
    public static final String MESSAGE_TRACKER = "track-message";
    public static final String ANSWER_TRACKER = "track-answer";
    public static final String MESSAGES = "query-messages";

    private QueryTopology() {}

    /**
     * The topology over the given topics. {@code transitions} reads the topic's values (Avro in the
     * registry's wire format, as the runtime writes them).
     */
    public static Topology build(
            Topics topics,
            Deserializer<InstanceTransition> transitions,
            Deserializer<WorkflowMessage> messages,
            Deserializer<Acknowledgement> acks) {
        Serde<String> keys = Serdes.String();
        Topology topology = new Topology();
        topology.addSource(SOURCE, keys.deserializer(), transitions, topics.transitions());
        topology.addProcessor(INDEXER, TransitionIndexer::new, SOURCE);
        topology.addStateStore(
                Stores.keyValueStoreBuilder(
                        Stores.persistentKeyValueStore(SUMMARIES),
                        keys,
                        new InternalAvroSerde<>(InstanceSummary.class)),
                INDEXER);
        topology.addStateStore(
                Stores.keyValueStoreBuilder(
                        Stores.persistentKeyValueStore(HISTORY),
                        keys,
                        new InternalAvroSerde<>(InstanceTransition.class)),
                INDEXER);
        topology.addStateStore(
                Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(INDEX), keys, Serdes.String()), INDEXER);
        topology.addStateStore(
                Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(COUNTS), keys, Serdes.Long()), INDEXER);
        topology.addSource(MESSAGES_SOURCE, keys.deserializer(), Lenient.of(messages), topics.messages());
        topology.addProcessor(MESSAGE_TRACKER, MessageTracker.Messages::new, MESSAGES_SOURCE);
        topology.addSource(ACKS_SOURCE, keys.deserializer(), Lenient.of(acks), topics.acks());
        topology.addSource(ACKS_REROUTED_SOURCE, keys.deserializer(), Lenient.of(acks), topics.acksRerouted());
        topology.addProcessor(ANSWER_TRACKER, MessageTracker.Answers::new, ACKS_SOURCE, ACKS_REROUTED_SOURCE);
        topology.addStateStore(
                Stores.keyValueStoreBuilder(
                        Stores.persistentKeyValueStore(MESSAGES), keys, new InternalAvroSerde<>(MessageEntry.class)),
                INDEXER,
                MESSAGE_TRACKER,
                ANSWER_TRACKER);
        return topology;
    }
}
