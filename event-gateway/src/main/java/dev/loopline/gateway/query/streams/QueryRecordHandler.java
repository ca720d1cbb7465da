package dev.loopline.gateway.query.streams;

import dev.loopline.api.serde.SchemaRegistryException;
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
        return super.handleError(context, record, exception);
    }
}
