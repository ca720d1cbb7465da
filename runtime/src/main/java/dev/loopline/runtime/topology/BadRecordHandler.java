package dev.loopline.runtime.topology;

import dev.loopline.api.serde.SchemaRegistryException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.LogAndContinueExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What happens to a record that cannot be read: garbage, an unknown schema id, a record of the
 * wrong type, or one over the size limit ({@link InputLimits}) goes to the dead-letter topic with
 * the reason in Kafka Streams' headers ({@code __streams.errors.*}), and processing goes on.
 *
 * <p>Two exceptions to that:
 *
 * <ul>
 *   <li>A record that could not be read because the schema registry was unreachable, timed out or
 *       answered 5xx is not bad: the stream thread fails instead, is replaced, and reads it again,
 *       until the registry answers. Dead-lettering it would lose a good event to a registry blip.
 *   <li>The dead-letter copy of a very large record is cut to {@value #MAX_DEAD_LETTER_BYTES} bytes
 *       of key and of value (header {@value #ORIGINAL_SIZE_HEADER} gives the sizes it had): a
 *       record near the broker's size limit plus the error headers would itself be too large to
 *       write, and a write that fails aborts the whole transaction, for every record in it.
 * </ul>
 */
public final class BadRecordHandler extends LogAndContinueExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(BadRecordHandler.class);

    static final int MAX_DEAD_LETTER_BYTES = 64 * 1024;
    static final String ORIGINAL_SIZE_HEADER = "loopline.errors.original.bytes";

    private LoopMetrics metrics = Telemetry.none().metrics();

    @Override
    public void configure(Map<String, ?> configs) {
        super.configure(configs);
        metrics = Telemetry.metricsIn(configs);
    }

    @Override
    public Response handleError(
            ErrorHandlerContext context, ConsumerRecord<byte[], byte[]> record, Exception exception) {
        if (SchemaRegistryException.isTransient(exception)) {
            log.warn(
                    "{}-{}@{} not read, the schema registry did not answer; it is read again: {}",
                    record.topic(),
                    record.partition(),
                    record.offset(),
                    exception.getMessage());
            return Response.fail();
        }
        Response response = super.handleError(context, record, exception);
        metrics.deadLettered("unreadable");
        return Response.resume(response.deadLetterQueueRecords().stream()
                .map(BadRecordHandler::bounded)
                .toList());
    }

    static ProducerRecord<byte[], byte[]> bounded(ProducerRecord<byte[], byte[]> dead) {
        int key = dead.key() == null ? 0 : dead.key().length;
        int value = dead.value() == null ? 0 : dead.value().length;
        if (key <= MAX_DEAD_LETTER_BYTES && value <= MAX_DEAD_LETTER_BYTES) {
            return dead;
        }
        RecordHeaders headers = new RecordHeaders(dead.headers().toArray());
        headers.add(ORIGINAL_SIZE_HEADER, ("key=" + key + ",value=" + value).getBytes(StandardCharsets.UTF_8));
        return new ProducerRecord<>(
                dead.topic(), dead.partition(), dead.timestamp(), cut(dead.key()), cut(dead.value()), headers);
    }

    private static byte[] cut(byte[] bytes) {
        return bytes == null || bytes.length <= MAX_DEAD_LETTER_BYTES
                ? bytes
                : Arrays.copyOf(bytes, MAX_DEAD_LETTER_BYTES);
    }
}
