package dev.loopline.runtime.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Proxy;
import java.util.Map;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.processor.api.Record;
import org.junit.jupiter.api.Test;

class RejectionHandlerTest {

    private final RejectionHandler handler = new RejectionHandler();
    private final ErrorHandlerContext context = (ErrorHandlerContext) Proxy.newProxyInstance(
            getClass().getClassLoader(),
            new Class<?>[] {ErrorHandlerContext.class},
            (proxy, method, args) -> zero(method.getReturnType()));

    private static Object zero(Class<?> type) {
        if (type == int.class) {
            return 0;
        }
        if (type == long.class) {
            return 0L;
        }
        return null;
    }

    @Test
    void shouldSkipARecordAProcessorRejected() {
        handler.configure(Map.of());

        var response = handler.handleError(
                context, new Record<>("k", "v", 0L), new RejectedRecordException("unknown instance"));

        assertThat(response.result()).isEqualTo(ProcessingExceptionHandler.Result.RESUME);
    }

    @Test
    void shouldFailTheTaskOnAnyOtherErrorSoThatNothingIsHalfApplied() {
        handler.configure(Map.of());

        var response = handler.handleError(
                context, new Record<>("k", "v", 0L), new StreamsException("Unable to serialize record"));

        assertThat(response.result()).isEqualTo(ProcessingExceptionHandler.Result.FAIL);
    }
}
