package dev.loopline.gateway.query.streams;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loopline.api.Topics;
import dev.loopline.api.serde.InternalAvroSerde;
import dev.loopline.api.v1.Acknowledgement;
import dev.loopline.api.v1.InstanceTransition;
import dev.loopline.api.v1.WorkflowMessage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Golden {@code topology.describe()} of the query side: renaming a node or a store renames its
 * changelog and rebuilds it. After a deliberate change, regenerate with {@code
 * -Dloopline.golden.update=true} and review the diff.
 */
class QueryTopologyDescriptionTest {

    private static final Path GOLDEN = Path.of("src/test/resources/query-topology.txt");

    @Test
    void shouldMatchTheGoldenDescription() throws IOException {
        String described = QueryTopology.build(
                        Topics.withDefaultPrefix(),
                        new InternalAvroSerde<>(InstanceTransition.class).deserializer(),
                        new InternalAvroSerde<>(WorkflowMessage.class).deserializer(),
                        new InternalAvroSerde<>(Acknowledgement.class).deserializer())
                .describe()
                .toString();

        if (Boolean.getBoolean("loopline.golden.update")) {
            Files.writeString(GOLDEN, described, StandardCharsets.UTF_8);
        }
        assertThat(described).isEqualTo(Files.readString(GOLDEN, StandardCharsets.UTF_8));
    }
}
