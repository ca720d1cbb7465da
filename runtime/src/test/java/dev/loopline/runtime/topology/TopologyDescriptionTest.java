package dev.loopline.runtime.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loopline.api.Topics;
import dev.loopline.api.serde.AvroSerdes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyDescription;
import org.junit.jupiter.api.Test;

/**
 * Golden {@code topology.describe()} of the two applications a runtime process runs: renaming a
 * node or store renames its changelog and loses state, so every change to the topology's shape must
 * be deliberate. After a deliberate change, regenerate with {@code -Dloopline.golden.update=true}
 * and review the diff.
 */
class TopologyDescriptionTest {

    private static final Path GOLDEN = Path.of("src/test/resources/topology.txt");
    private static final Topics TOPICS = Topics.withDefaultPrefix();
    private static final AvroSerdes SERDES = new AvroSerdes(Map.of("schema.registry.url", "mock://describe"));

    @Test
    void shouldMatchTheGoldenDescription() throws IOException {
        LooplineTopology.Parts parts = LooplineTopology.buildParts(TOPICS, SERDES, TopologyOptions.defaults());
        String described = "# the event half (application id <id>-events)\n"
                + parts.events().describe()
                + "\n# the instance half (application id <id>)\n"
                + parts.instances().describe();

        if (Boolean.getBoolean("loopline.golden.update")) {
            Files.writeString(GOLDEN, described, StandardCharsets.UTF_8);
        }
        assertThat(described).isEqualTo(Files.readString(GOLDEN, StandardCharsets.UTF_8));
    }

    /** The TopologyDriver tests run the whole loop in one topology: it must be exactly the two parts. */
    @Test
    void shouldBuildForTestsTheNodesAndStoresOfBothParts() {
        LooplineTopology.Parts parts = LooplineTopology.buildParts(TOPICS, SERDES, TopologyOptions.defaults());
        Set<String> eventHalf = namesIn(parts.events());
        Set<String> instanceHalf = namesIn(parts.instances());
        assertThat(eventHalf).doesNotContainAnyElementsOf(instanceHalf);

        Set<String> both = new TreeSet<>(eventHalf);
        both.addAll(instanceHalf);
        assertThat(namesIn(LooplineTopology.build(TOPICS, SERDES))).isEqualTo(both);
        assertThat(eventHalf)
                .contains(LooplineTopology.EVENT_MATCHER, "store " + LooplineTopology.DEPENDENCY_QUEUES_STORE);
        assertThat(instanceHalf)
                .contains(LooplineTopology.INSTANCE_COMMAND_PROCESSOR, "store " + LooplineTopology.INSTANCES_STORE);
    }

    /** Every node's name and every store's name (prefixed "store "), global ones included. */
    private static Set<String> namesIn(Topology topology) {
        Set<String> names = new TreeSet<>();
        TopologyDescription description = topology.describe();
        for (TopologyDescription.Subtopology subtopology : description.subtopologies()) {
            for (TopologyDescription.Node node : subtopology.nodes()) {
                names.add(node.name());
                if (node instanceof TopologyDescription.Processor processor) {
                    processor.stores().forEach(store -> names.add("store " + store));
                }
            }
        }
        for (TopologyDescription.GlobalStore global : description.globalStores()) {
            names.add(global.source().name());
            names.add(global.processor().name());
            global.processor().stores().forEach(store -> names.add("store " + store));
        }
        return names;
    }
}
