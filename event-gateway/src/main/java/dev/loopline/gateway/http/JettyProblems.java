package dev.loopline.gateway.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.nio.ByteBuffer;
import java.util.List;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Jetty's own refusals, made before a request reaches the routes (a malformed URI, headers too
 * large, a body over the size limit or past its deadline, no turn in flight), answered as
 * problems like every other error instead of Jetty's HTML or empty bodies. Installed as the
 * server's error handler.
 */
final class JettyProblems extends ErrorHandler {

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        int status = response.getStatus() >= 400 ? response.getStatus() : 500;
        Object message = request.getAttribute(ERROR_MESSAGE);
        String title = HttpStatus.getMessage(status);
        write(
                request,
                response,
                callback,
                new Problem(
                        "/problems/http-" + status,
                        title,
                        status,
                        message instanceof String text && !text.isBlank() ? text : title,
                        Request.getPathInContext(request),
                        List.of()));
        return true;
    }

    /** Writes the problem as the whole response, with its status. */
    static void write(Request request, Response response, Callback callback, Problem problem) {
        byte[] body;
        try {
            body = Json.MAPPER.writeValueAsBytes(problem);
        } catch (JsonProcessingException e) {
            callback.failed(e);
            return;
        }
        response.setStatus(problem.status());
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, Problem.CONTENT_TYPE);
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        response.write(true, ByteBuffer.wrap(body), callback);
    }
}
