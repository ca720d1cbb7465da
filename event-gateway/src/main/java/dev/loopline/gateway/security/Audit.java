package dev.loopline.gateway.security;

import dev.loopline.api.internal.OperatorAction;
import dev.loopline.api.internal.OperatorResult;
import io.javalin.http.Context;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One INFO line per change a caller makes (definitions, operator actions), with the principal, on
 * the logger {@value #LOGGER}, so that the audit trail can be routed apart from the rest of the
 * log. The Kafka records carry the same principal ({@code WorkflowDefinition.updatedBy},
 * {@code OperatorCommand.principal}); this line also records refused and unanswered actions.
 */
public final class Audit {

    public static final String LOGGER = "loopline.audit";
    private static final Logger log = LoggerFactory.getLogger(LOGGER);

    private Audit() {}

    /** A definition was saved or its status changed. */
    public static void definition(Context ctx, String change, String definitionId, int version, String status) {
        log.info(
                "principal={} definition={} version={} change={} status={}",
                Principals.nameOf(ctx),
                definitionId,
                version,
                change,
                status);
    }

    /** An operator action on one instance, with the runtime's answer (empty: none came in time). */
    public static void operator(
            Context ctx, OperatorAction action, String instanceId, Optional<OperatorResult> answer) {
        String outcome = answer.map(result -> !result.getFound()
                        ? "not found"
                        : result.getAccepted() ? "accepted" : "refused: " + result.getReason())
                .orElse("no answer");
        log.info(
                "principal={} instance={} action={} outcome={}",
                Principals.nameOf(ctx),
                instanceId,
                action.name().toLowerCase(Locale.ROOT),
                outcome);
    }

    /** A bulk operator action, with how many instances matched and how many accepted it. */
    /** A dead letter put back on a topic. */
    public static void replay(Context ctx, String deadLetter, Object topic) {
        log.info("principal={} replayed dead letter {} to {}", Principals.nameOf(ctx), deadLetter, topic);
    }

    /** A bulk operation's end: who ran it, on what, and how it went. */
    public static void bulk(
            String principal, OperatorAction action, Object filter, long matched, long accepted, String state) {
        log.info(
                "principal={} bulk action={} filter={} matched={} accepted={} state={}",
                principal,
                action.name().toLowerCase(Locale.ROOT),
                filter,
                matched,
                accepted,
                state);
    }
}
