package dev.loopline.gateway.http;

import java.util.List;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpHeaderValue;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Answers 413 at once, before a byte of the body is read, when a request declares a
 * {@code Content-Length} over the size limit. A client that sent {@code Expect: 100-continue}
 * (curl does for large bodies) then never sends the body and reads the 413 cleanly. A client that
 * sends the body anyway may see the connection closed under it: HTTP/1.1 leaves a server no other
 * way to refuse a body it will not read. A chunked body has no declared length and is refused by
 * the routes once it passes the limit.
 */
final class DeclaredBodyLimit extends Handler.Wrapper {

    private final long maxBytes;

    DeclaredBodyLimit(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        long declared = request.getLength();
        if (declared <= maxBytes) {
            return super.handle(request, response, callback);
        }
        response.getHeaders().put(HttpHeader.CONNECTION, HttpHeaderValue.CLOSE);
        JettyProblems.write(
                request,
                response,
                callback,
                new Problem(
                        "/problems/http-413",
                        "Content Too Large",
                        413,
                        "the request body is " + declared + " bytes; at most " + maxBytes + " are accepted",
                        Request.getPathInContext(request),
                        List.of()));
        return true;
    }
}
