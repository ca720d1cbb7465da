package dev.loopline.gateway.query.streams;

import dev.loopline.api.serde.SchemaRegistryException;
import dev.loopline.observability.LooplineMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.LogAndContinueExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A transition the query side cannot read goes to the dead-letter topic with the reason in Kafka
 * Streams' headers, and the query side goes on, except when the schema registry did not answer:
 * then the stream thread fails, is replaced, and reads the record again (skipping it would leave
 * the instance's summary wrong for good).
 */
public final class QueryRecordHandler extends LogAndContinueExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(QueryRecordHandler.class);

    /** The Streams setting under which the handler finds the gateway's meter registry. */
    static final String METRICS = "loopline.meters";

    private MeterRegistry registry = new CompositeMeterRegistry();

    @Override
    public void configure(Map<String, ?> configs) {
        super.configure(configs);
        if (configs.get(METRICS) instanceof MeterRegistry given) {
            registry = given;
        }
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
        LooplineMetrics.DEAD_LETTERS.counter(registry, "unreadable").increment();
        return super.handleError(context, record, exception);
    }
}
