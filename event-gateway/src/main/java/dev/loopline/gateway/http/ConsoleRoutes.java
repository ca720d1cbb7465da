package dev.loopline.gateway.http;

import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Locale;
import java.util.Map;

/**
 * The web console's files, from the classpath ({@code loopline-console}): {@code GET /console/…}
 * for any authenticated caller, as every route. The browser authenticates with the API key as the
 * password of HTTP Basic (see {@code GatewaySecurity}); the console then calls the API with the
 * same credentials, and offers only what the caller's roles allow.
 */
final class ConsoleRoutes {

    private static final String ROOT = "/dev/loopline/console/";

    private static final Map<String, String> TYPES = Map.of(
            "html", "text/html; charset=utf-8",
            "js", "text/javascript; charset=utf-8",
            "css", "text/css; charset=utf-8",
            "svg", "image/svg+xml",
            "png", "image/png",
            "ico", "image/x-icon",
            "json", "application/json");

    /**
     * Only the console's own files run in its pages. CodeMirror sets styles from script, hence
     * inline styles; nothing may frame the console.
     */
    private static final String POLICY = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline';"
            + " img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

    void file(Context ctx) {
        String path = ctx.pathParamMap().getOrDefault("path", "");
        if (path.isEmpty()) {
            path = "index.html";
        }
        if (path.contains("..") || path.contains("\\") || path.startsWith("/")) {
            throw ProblemException.notFound("console file " + path);
        }
        String extension = path.substring(path.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT);
        byte[] body;
        try (InputStream in = ConsoleRoutes.class.getResourceAsStream(ROOT + path)) {
            if (in == null || !TYPES.containsKey(extension)) {
                throw ProblemException.notFound("console file " + path);
            }
            body = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ctx.header("Content-Security-Policy", POLICY);
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.header("Referrer-Policy", "no-referrer");
        // the build names assets by their content's hash: they never change; the page may
        ctx.header("Cache-Control", path.startsWith("assets/") ? "private, max-age=31536000, immutable" : "no-cache");
        ctx.contentType(TYPES.get(extension)).result(body);
    }
}
