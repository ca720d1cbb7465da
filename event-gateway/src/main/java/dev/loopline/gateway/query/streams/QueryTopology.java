package dev.loopline.gateway.query.streams;

import dev.loopline.api.Topics;
import dev.loopline.api.internal.InstanceSummary;
import dev.loopline.api.serde.InternalAvroSerde;
import dev.loopline.api.v1.InstanceTransition;
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
 * </pre>
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

    private QueryTopology() {}

    /**
     * The topology over the given topics. {@code transitions} reads the topic's values (Avro in the
     * registry's wire format, as the runtime writes them).
     */
    public static Topology build(Topics topics, Deserializer<InstanceTransition> transitions) {
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
        return topology;
    }
}
