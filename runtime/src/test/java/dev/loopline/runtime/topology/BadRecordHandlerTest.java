package dev.loopline.runtime.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loopline.api.serde.SchemaRegistryException;
import java.io.IOException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.processor.TaskId;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class BadRecordHandlerTest {

    private final BadRecordHandler handler = new BadRecordHandler();
    /** The context of the record the handler is asked about: its raw bytes, and zeros. */
    private static ErrorHandlerContext contextOf(ConsumerRecord<byte[], byte[]> record) {
        return (ErrorHandlerContext) Proxy.newProxyInstance(
                BadRecordHandlerTest.class.getClassLoader(),
                new Class<?>[] {ErrorHandlerContext.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "sourceRawKey" -> record.key();
                    case "sourceRawValue" -> record.value();
                    default -> valueOf(method.getReturnType());
                });
    }

    private static Object valueOf(Class<?> type) {
        if (type == String.class) {
            return "loopline.events";
        }
        if (type == TaskId.class) {
            return new TaskId(0, 0);
        }
        if (type == int.class) {
            return 0;
        }
        if (type == long.class) {
            return 0L;
        }
        return null;
    }

    @BeforeEach
    void configure() {
        handler.configure(Map.of(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG, "loopline.dlq"));
    }

    @Test
    void shouldDeadLetterARecordThatCannotBeReadWithItsReason() {
        var response = handle(record(new byte[] {1, 2, 3}), new SerializationException("not in the wire format"));

        assertThat(response.result()).isEqualTo(DeserializationExceptionHandler.Result.RESUME);
        assertThat(response.deadLetterQueueRecords()).hasSize(1);
        ProducerRecord<byte[], byte[]> dead = response.deadLetterQueueRecords().get(0);
        assertThat(dead.topic()).isEqualTo("loopline.dlq");
        assertThat(dead.value()).containsExactly(1, 2, 3);
        assertThat(new String(
                        dead.headers().lastHeader("__streams.errors.message").value(), StandardCharsets.UTF_8))
                .isEqualTo("not in the wire format");
    }

    @Test
    void shouldDeadLetterARecordWhoseSchemaTheRegistryDoesNotKnow() {
        var response =
                handle(record(new byte[] {0, 0, 0, 0, 9}), new SchemaRegistryException("schema 9 not found", 40403));

        assertThat(response.result()).isEqualTo(DeserializationExceptionHandler.Result.RESUME);
        assertThat(response.deadLetterQueueRecords()).hasSize(1);
    }

    @Test
    void shouldReadARecordAgainWhenTheRegistryDidNotAnswer() {
        var unreachable = new SerializationException(
                "cannot decode", new SchemaRegistryException("unreachable", new IOException("connection refused")));
        var overloaded = new SchemaRegistryException("answered 503", 50301);

        assertThat(handle(record(new byte[] {0}), unreachable).result())
                .isEqualTo(DeserializationExceptionHandler.Result.FAIL);
        assertThat(handle(record(new byte[] {0}), overloaded).result())
                .isEqualTo(DeserializationExceptionHandler.Result.FAIL);
    }

    @Test
    void shouldCutTheDeadLetterCopyOfAVeryLargeRecord() {
        byte[] large = new byte[BadRecordHandler.MAX_DEAD_LETTER_BYTES * 15];

        var response = handle(record(large), new SerializationException("over the limit"));

        ProducerRecord<byte[], byte[]> dead = response.deadLetterQueueRecords().get(0);
        assertThat(dead.value()).hasSize(BadRecordHandler.MAX_DEAD_LETTER_BYTES);
        assertThat(new String(
                        dead.headers()
                                .lastHeader(BadRecordHandler.ORIGINAL_SIZE_HEADER)
                                .value(),
                        StandardCharsets.UTF_8))
                .isEqualTo("key=3,value=" + large.length);
        assertThat(dead.headers().lastHeader("__streams.errors.message")).isNotNull();
    }

    private DeserializationExceptionHandler.Response handle(ConsumerRecord<byte[], byte[]> record, Exception e) {
        return handler.handleError(contextOf(record), record, e);
    }

    private static ConsumerRecord<byte[], byte[]> record(byte[] value) {
        return new ConsumerRecord<>("loopline.events", 0, 7L, "key".getBytes(StandardCharsets.UTF_8), value);
    }
}
