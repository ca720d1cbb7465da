package dev.loopline.runtime.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loopline.api.Topics;
import dev.loopline.api.serde.AvroSerdes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Golden {@code topology.describe()}: renaming a node or store renames its changelog and loses
 * state, so every change to the topology's shape must be deliberate. After a deliberate change,
 * regenerate with {@code -Dloopline.golden.update=true} and review the diff.
 */
class TopologyDescriptionTest {

    private static final Path GOLDEN = Path.of("src/test/resources/topology.txt");

    @Test
    void shouldMatchTheGoldenDescription() throws IOException {
        String described = LooplineTopology.build(
                        Topics.withDefaultPrefix(), new AvroSerdes(Map.of("schema.registry.url", "mock://describe")))
                .describe()
                .toString();

        if (Boolean.getBoolean("loopline.golden.update")) {
            Files.writeString(GOLDEN, described, StandardCharsets.UTF_8);
        }
        assertThat(described).isEqualTo(Files.readString(GOLDEN, StandardCharsets.UTF_8));
    }
}
