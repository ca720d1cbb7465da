package dev.loopline.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.loopline.api.serde.RestSchemaRegistryClient;
import dev.loopline.api.serde.SchemaRegistryException;
import dev.loopline.api.serde.WireFormatAvroSerde;
import dev.loopline.api.v1.PlatformEvent;
import dev.loopline.systemtests.support.Samples;
import dev.loopline.testsupport.infra.Infrastructure;
import dev.loopline.testsupport.junit.LooplineInfrastructureExtension;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The wire-format serde against a real registry speaking the Confluent REST API (Apicurio's ccompat). */
@ExtendWith(LooplineInfrastructureExtension.class)
class WireFormatRegistryIT {

    @Test
    void shouldRegisterUnderTopicValueSubjectAndRoundTrip(Infrastructure infra) {
        String topic = "it-serde-" + UUID.randomUUID();
        var serde = WireFormatAvroSerde.forValues(PlatformEvent.class, infra.clientConfig());
        PlatformEvent event = Samples.event("e-1", "account", "a-1", "Create");

        byte[] bytes = serde.serializer().serialize(topic, event);

        var registry = new RestSchemaRegistryClient(infra.schemaRegistryUrl());
        int id = registry.idOf(topic + "-value", PlatformEvent.getClassSchema());
        assertThat(bytes[0]).isZero();
        assertThat(ByteBuffer.wrap(bytes, 1, 4).getInt()).isEqualTo(id);
        assertThat(registry.schemaById(id)).isEqualTo(PlatformEvent.getClassSchema());
        assertThat(registry.register(topic + "-value", PlatformEvent.getClassSchema()))
                .as("registering the same schema again keeps its id")
                .isEqualTo(id);
        assertThat(serde.deserializer().deserialize(topic, bytes)).isEqualTo(event);
    }

    @Test
    void shouldNotRegisterWhenAutoRegisterIsOff(Infrastructure infra) {
        String topic = "it-serde-strict-" + UUID.randomUUID();
        var strict = WireFormatAvroSerde.forValues(
                PlatformEvent.class,
                Map.of("schema.registry.url", infra.schemaRegistryUrl(), "auto.register.schemas", "false"));

        assertThatThrownBy(() -> strict.serializer().serialize(topic, Samples.event("e", "a", "b", "Create")))
                .isInstanceOf(SchemaRegistryException.class)
                .hasMessageContaining("404");
    }
}
