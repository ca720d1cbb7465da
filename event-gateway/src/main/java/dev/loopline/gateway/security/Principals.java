package dev.loopline.gateway.security;

import dev.loopline.api.security.Principal;
import dev.loopline.gateway.http.ProblemException;
import io.javalin.http.Context;
import java.util.List;

/**
 * The request's authenticated principal, kept as the context attribute {@value #ATTRIBUTE} by the
 * authentication handler, so that routes, audit records and per-caller limits all read the same
 * one.
 */
public final class Principals {

    /** The context attribute that holds the request's {@link Principal}. */
    public static final String ATTRIBUTE = "loopline.principal";

    private Principals() {}

    /**
     * The request's principal. Every request that reaches a route has one (authentication runs
     * before routing), so a missing one is a wiring error, not an anonymous caller.
     */
    public static Principal of(Context ctx) {
        Principal principal = ctx.attribute(ATTRIBUTE);
        if (principal == null) {
            throw new IllegalStateException("no authenticated principal on " + ctx.method() + " " + ctx.path());
        }
        return principal;
    }

    /** The principal's name, as recorded in audit fields. */
    public static String nameOf(Context ctx) {
        return of(ctx).name();
    }

    static void set(Context ctx, Principal principal) {
        ctx.attribute(ATTRIBUTE, principal);
    }

    /** A 403 unless the request's principal may publish for this source and entity type. */
    public static void requireMayPublish(Context ctx, String source, String entityType) {
        Principal principal = of(ctx);
        if (!principal.mayPublish(source, entityType)) {
            throw new ProblemException(
                    403,
                    "forbidden",
                    "Forbidden",
                    principal.name() + " may not publish events of source " + source + " and entity type " + entityType,
                    List.of());
        }
    }
}
