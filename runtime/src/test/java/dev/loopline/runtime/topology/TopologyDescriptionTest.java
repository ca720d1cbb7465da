package dev.loopline.runtime.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loopline.api.Topics;
import dev.loopline.api.serde.AvroSerdes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyDescription;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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

    @TempDir
    Path stateDir;

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

    /**
     * The TopologyTestDriver tests run the whole loop in one topology: it must be exactly the two
     * parts, sub-topology by sub-topology (nodes, edges, stores, topics), numbering aside, but for
     * the instance half's audit of the global topics.
     */
    @Test
    void shouldBuildForTestsExactlyTheSubTopologiesOfBothParts() {
        LooplineTopology.Parts parts = LooplineTopology.buildParts(TOPICS, SERDES, TopologyOptions.defaults());
        List<String> both = new ArrayList<>(subTopologiesOf(parts.events()));
        both.addAll(subTopologiesOf(parts.instances()));
        // the audit of the global topics reads them as sources: it cannot be beside their global stores
        assertThat(both.removeIf(sub -> sub.contains(LooplineTopology.GLOBAL_TOPICS_AUDIT)))
                .isTrue();

        assertThat(subTopologiesOf(LooplineTopology.build(TOPICS, SERDES))).containsExactlyInAnyOrderElementsOf(both);
        assertThat(String.join("", subTopologiesOf(parts.events())))
                .contains(LooplineTopology.EVENT_MATCHER, LooplineTopology.DEPENDENCY_QUEUES_STORE)
                .doesNotContain(LooplineTopology.INSTANCES_STORE);
    }

    /** Each part on its own: every processor's init() finds the stores it asks for in its own part. */
    @Test
    void shouldInitialiseEveryProcessorOfEachPartOnItsOwn() {
        LooplineTopology.Parts parts = LooplineTopology.buildParts(TOPICS, SERDES, TopologyOptions.defaults());
        for (Topology part : List.of(parts.events(), parts.instances())) {
            Properties settings = new Properties();
            settings.put(StreamsConfig.APPLICATION_ID_CONFIG, "describe");
            settings.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
            settings.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
            try (TopologyTestDriver driver = new TopologyTestDriver(part, settings)) {
                assertThat(driver.producedTopicNames()).isEmpty();
            }
        }
    }

    /** Each sub-topology and global store as described, without its number. */
    private static List<String> subTopologiesOf(Topology topology) {
        TopologyDescription description = topology.describe();
        List<String> described = new ArrayList<>();
        description.subtopologies().forEach(sub -> described.add(withoutNumber(sub.toString())));
        description.globalStores().forEach(global -> described.add(withoutNumber(global.toString())));
        return described;
    }

    private static String withoutNumber(String described) {
        return described.replaceFirst("Sub-topology: \\d+", "Sub-topology");
    }
}
