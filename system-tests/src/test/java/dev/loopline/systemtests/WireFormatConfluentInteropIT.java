package dev.loopline.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loopline.api.serde.WireFormatAvroSerde;
import dev.loopline.api.v1.InstanceState;
import dev.loopline.api.v1.InstanceTransition;
import dev.loopline.api.v1.PlatformEvent;
import dev.loopline.testsupport.infra.Infrastructure;
import dev.loopline.testsupport.junit.LooplineInfrastructureExtension;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Loopline's Java serde against Confluent's own serde ({@code @confluentinc/schemaregistry}, the
 * JavaScript client, installed by the build with {@code npm ci}), through the same real registry:
 * each reads what the other writes. The independent check that our bytes are the Confluent wire
 * format and our subjects the TopicNameStrategy.
 */
@ExtendWith(LooplineInfrastructureExtension.class)
class WireFormatConfluentInteropIT {

    private static final Path PEER = Path.of("src", "test", "node");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant AT = Instant.parse("2026-11-21T10:00:00Z");

    @Test
    void shouldLetConfluentsSerdeReadWhatLooplineWrites(Infrastructure infra) throws Exception {
        String topic = "interop-transitions-" + UUID.randomUUID();
        var serde = WireFormatAvroSerde.forValues(InstanceTransition.class, infra.clientConfig());
        byte[] bytes = serde.serializer().serialize(topic, transition("i-1", InstanceState.SUSPENDED, 10, "waiting"));

        JsonNode read = JSON.readTree(
                peer("decode", infra.schemaRegistryUrl(), topic, HexFormat.of().formatHex(bytes)));

        assertThat(read.get("instanceId").asText()).isEqualTo("i-1");
        assertThat(read.get("state").asText()).isEqualTo("SUSPENDED");
        assertThat(read.get("statusCode").asInt()).isEqualTo(10);
        assertThat(read.get("timestamp").asLong()).isEqualTo(AT.toEpochMilli());
        assertThat(read.get("reason").asText()).isEqualTo("waiting");
    }

    @Test
    void shouldLetConfluentsSerdeReadEventAttributeUnions(Infrastructure infra) throws Exception {
        String topic = "interop-events-" + UUID.randomUUID();
        var serde = WireFormatAvroSerde.forValues(PlatformEvent.class, infra.clientConfig());
        PlatformEvent event = PlatformEvent.newBuilder()
                .setEventId("e-1")
                .setSource("erp")
                .setEntityType("expense_report")
                .setEntityId("ER-1")
                .setMessageName("Submitted")
                .setAttributes(Map.of("currency", "EUR", "amount", 5L, "rate", 1.5, "urgent", true))
                .setOccurredAt(AT)
                .build();

        JsonNode read = JSON.readTree(peer(
                "decode",
                infra.schemaRegistryUrl(),
                topic,
                HexFormat.of().formatHex(serde.serializer().serialize(topic, event))));

        // Confluent's JS serde (avsc) wraps values of an ambiguous union in their branch name.
        JsonNode attributes = read.get("attributes");
        assertThat(attributes.get("currency").get("string").asText()).isEqualTo("EUR");
        assertThat(attributes.get("amount").get("long").asLong()).isEqualTo(5);
        assertThat(attributes.get("rate").get("double").asDouble()).isEqualTo(1.5);
        assertThat(attributes.get("urgent").get("boolean").asBoolean()).isTrue();
        assertThat(read.get("causation").isNull()).isTrue();
    }

    @Test
    void shouldReadWhatConfluentsSerdeWrites(Infrastructure infra) throws Exception {
        String topic = "interop-back-" + UUID.randomUUID();
        var serde = WireFormatAvroSerde.forValues(InstanceTransition.class, infra.clientConfig());
        serde.serializer().serialize(topic, transition("i-0", InstanceState.READY, 0, null)); // registers the subject

        String hex = peer("encode", infra.schemaRegistryUrl(), topic, """
                {"instanceId":"i-2","definitionId":"d","definitionVersion":1,"sequence":1,"state":"COMPLETED",
                 "statusCode":30,"timestamp":%d,"reason":"done"}""".formatted(AT.toEpochMilli()));
        byte[] bytes = HexFormat.of().parseHex(hex.strip());

        assertThat(bytes[0]).isZero();
        assertThat(serde.deserializer().deserialize(topic, bytes))
                .isEqualTo(transition("i-2", InstanceState.COMPLETED, 30, "done"));
    }

    private static InstanceTransition transition(String id, InstanceState state, int status, String reason) {
        return InstanceTransition.newBuilder()
                .setInstanceId(id)
                .setDefinitionId("d")
                .setDefinitionVersion(1)
                .setSequence(id.equals("i-1") ? 3 : 1)
                .setState(state)
                .setStatusCode(status)
                .setTimestamp(AT)
                .setReason(reason)
                .build();
    }

    private static String peer(String... args) throws IOException, InterruptedException {
        if (!Files.isDirectory(PEER.resolve("node_modules/@confluentinc/schemaregistry"))) {
            throw new IllegalStateException(
                    "Confluent's JS serde is not installed: the build runs 'npm ci' in " + PEER);
        }
        Path output = Files.createTempFile("peer-", ".out");
        Process process = new ProcessBuilder(concat(List.of("node", "confluent-peer.mjs"), List.of(args)))
                .directory(PEER.toFile())
                .redirectErrorStream(true)
                .redirectOutput(output.toFile())
                .start();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("the Confluent peer did not answer in 60 s");
        }
        String printed = Files.readString(output, StandardCharsets.UTF_8);
        if (process.exitValue() != 0) {
            throw new IllegalStateException("the Confluent peer failed: " + printed);
        }
        return printed;
    }

    private static List<String> concat(List<String> a, List<String> b) {
        return java.util.stream.Stream.concat(a.stream(), b.stream()).toList();
    }
}
