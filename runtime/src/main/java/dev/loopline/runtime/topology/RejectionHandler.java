package dev.loopline.runtime.topology;

import java.util.Map;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.LogAndContinueProcessingExceptionHandler;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Dead-letters and skips only the records a processor rejected on purpose ({@link
 * RejectedRecordException}: bad input, which would fail again). Any other failure, such as a sink
 * that cannot serialize because the schema registry is briefly unavailable, fails the task
 * instead: the transaction aborts, nothing partial is committed, and the record is processed again
 * when the stream thread is replaced. Continuing there would commit the instance's new state while
 * dropping its messages.
 */
public final class RejectionHandler extends LogAndContinueProcessingExceptionHandler {

    private LoopMetrics metrics = Telemetry.none().metrics();

    @Override
    public void configure(Map<String, ?> configs) {
        super.configure(configs);
        metrics = Telemetry.metricsIn(configs);
    }

    @Override
    public Response handleError(ErrorHandlerContext context, Record<?, ?> record, Exception exception) {
        if (exception instanceof RejectedRecordException) {
            metrics.deadLettered("rejected");
            return super.handleError(context, record, exception);
        }
        return Response.fail();
    }
}
