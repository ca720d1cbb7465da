package dev.loopline.gateway.http;

import java.time.Duration;
import java.util.List;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.QoSHandler;
import org.eclipse.jetty.util.Callback;

/**
 * At most so many requests handled at once (Jetty's {@link QoSHandler}); the rest wait, without a
 * thread, for a turn, and are answered 503 with {@code Retry-After} as a problem if none comes in
 * time or too many wait already.
 */
final class InFlightLimit extends QoSHandler {

    InFlightLimit(int maxInFlight, Duration queueTimeout) {
        setMaxRequestCount(maxInFlight);
        setMaxSuspendedRequestCount(HttpLimits.MAX_WAITING);
        setMaxSuspend(queueTimeout);
    }

    @Override
    protected void reject(Request request, Response response, Callback callback, int status) {
        busy(request, response, callback, "too many requests are waiting");
    }

    @Override
    protected void failSuspended(Request request, Response response, Callback callback, int status, Throwable failure) {
        busy(
                request,
                response,
                callback,
                "no turn came within " + getMaxSuspend().toMillis() + " ms");
    }

    private void busy(Request request, Response response, Callback callback, String why) {
        response.getHeaders().put(HttpHeader.RETRY_AFTER, "1");
        JettyProblems.write(
                request,
                response,
                callback,
                new Problem(
                        "/problems/busy",
                        "Busy",
                        503,
                        "the gateway is handling " + getMaxRequestCount() + " requests and " + why + "; retry shortly",
                        Request.getPathInContext(request),
                        List.of()));
    }
}
