package dev.loopline.gateway.http;

import dev.loopline.api.security.Principal;
import dev.loopline.api.security.Role;
import dev.loopline.definition.json.InvalidDocumentException;
import dev.loopline.gateway.kafka.AckPublisher;
import dev.loopline.gateway.kafka.BrokerProbe;
import dev.loopline.gateway.kafka.DeadLetters;
import dev.loopline.gateway.kafka.DefinitionRepository;
import dev.loopline.gateway.kafka.EventPublisher;
import dev.loopline.gateway.kafka.OperatorChannel;
import dev.loopline.gateway.query.InstanceGauge;
import dev.loopline.gateway.query.QueryStores;
import dev.loopline.gateway.security.AccessRules;
import dev.loopline.gateway.security.GatewaySecurity;
import dev.loopline.gateway.security.HttpsListener;
import dev.loopline.gateway.security.Principals;
import dev.loopline.gateway.security.RateLimits;
import dev.loopline.gateway.security.TlsConfig;
import dev.loopline.observability.Meters;
import dev.loopline.observability.Tracing;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.javalin.http.HttpResponseException;
import io.javalin.http.HttpStatus;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.eclipse.jetty.server.handler.EagerContentHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/** The HTTP routes, with every error answered as an RFC 9457 problem. */
public final class GatewayServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(GatewayServer.class);

    private final Javalin app;

    private final BrokerProbe broker;
    private final BulkOperations bulk;

    private GatewayServer(Javalin app, BrokerProbe broker, BulkOperations bulk) {
        this.app = app;
        this.broker = broker;
        this.bulk = bulk;
    }

    public static GatewayServer start(
            String host,
            int port,
            EventPublisher publisher,
            AckPublisher acks,
            DefinitionRepository definitions,
            DeadLetters deadLetters,
            QueryStores queries,
            OperatorChannel operators,
            GatewaySecurity security,
            TlsConfig tls,
            HttpLimits limits,
            BrokerProbe broker,
            Meters meters,
            Tracing tracing) {
        Clock clock = Clock.systemUTC();
        HttpTelemetry telemetry = new HttpTelemetry(tracing, meters.registry());
        InstanceGauge instances = new InstanceGauge(meters.registry(), queries);
        Cors cors = new Cors(limits.corsOrigins());
        RateLimits rates = new RateLimits(limits.ratePerSecond());
        EventRoutes events = new EventRoutes(publisher, definitions, clock);
        DeadLetterRoutes deadLetterRoutes = new DeadLetterRoutes(deadLetters, events, publisher);
        QueryPeers peers = new QueryPeers(tls.enabled());
        InstanceQueries instanceQueries = new InstanceQueries(queries, peers);
        DefinitionRoutes definitionRoutes = new DefinitionRoutes(definitions, instanceQueries, clock);
        BulkOperations bulk = new BulkOperations(instanceQueries, operators, clock);
        InstanceRoutes instanceRoutes = new InstanceRoutes(instanceQueries, operators, bulk, peers);
        MessageRoutes messageRoutes = new MessageRoutes(queries, instanceQueries, acks);
        DialogRoutes dialogRoutes = new DialogRoutes(instanceQueries, definitions, events, clock);
        WorkItemRoutes workItemRoutes = new WorkItemRoutes(instanceQueries, events, clock);
        MigrationRoutes migrationRoutes = new MigrationRoutes(definitions, instanceQueries, bulk);
        ConsoleRoutes console = new ConsoleRoutes();
        Javalin app = Javalin.create(config -> {
            config.jetty.host = host;
            config.jetty.port = port;
            config.startup.showJavalinBanner = false;
            if (tls.enabled()) {
                HttpsListener.install(config, tls, host, port);
            }
            // Jetty, before Javalin: a declared length over the limit is answered 413 unread; the body is read first,
            // without a thread, by its deadline (408);
            // then at most so many requests are handled at once (503). A body over the size limit is
            // passed on for Javalin to answer 413: Jetty's own refusal closed the connection while the
            // client was still sending, which the client saw as a reset rather than a 413.
            config.http.maxRequestSize = HttpLimits.MAX_BODY_BYTES;
            config.jetty.modifyServer(server -> {
                BodyDeadline deadline = new BodyDeadline(limits.bodyDeadline());
                EagerContentHandler eager = new EagerContentHandler(
                        new EagerContentHandler.RetainedContentLoaderFactory(HttpLimits.MAX_BODY_BYTES, -1, false));
                InFlightLimit inFlight = new InFlightLimit(limits.maxInFlight(), limits.queueTimeout());
                DeclaredBodyLimit declared = new DeclaredBodyLimit(HttpLimits.MAX_BODY_BYTES);
                declared.setHandler(deadline);
                deadline.setHandler(eager);
                eager.setHandler(inFlight);
                server.setHandler(declared); // Javalin puts its servlet inside the innermost wrapper
                server.setErrorHandler(new JettyProblems());
            });
            // every request is traced and counted, refused ones too
            config.routes.before(telemetry::begin);
            config.requestLogger.http(telemetry::end);
            // a CORS preflight carries no credentials: answered first
            config.routes.before(cors::handle);
            // who is calling, for every request (401 before routing), then whether the route allows it (403)
            config.routes.before(security::authenticate);
            config.routes.before(rates::check);
            config.routes.before(GatewayServer::options);
            config.routes.beforeMatched(security::authorise);
            config.routes.beforeMatched(Json::requireJsonBody);
            config.routes.post("/v1/events", events::publish);
            config.routes.post("/v1/definitions", definitionRoutes::save);
            config.routes.get("/v1/definitions", definitionRoutes::list);
            config.routes.get("/v1/definitions/schema", definitionRoutes::schema);
            config.routes.get("/v1/definitions/{id}", definitionRoutes::get);
            config.routes.get("/v1/definitions/{id}/versions/{version}", definitionRoutes::version);
            config.routes.post("/v1/definitions/{id}/activate", definitionRoutes::activate);
            config.routes.post("/v1/definitions/{id}/deactivate", definitionRoutes::deactivate);
            config.routes.post("/v1/definitions/{id}/instances", events::startOnDemand);
            config.routes.post("/v1/dialogs/{id}/sessions", events::startSession);
            config.routes.get("/v1/dialogs/sessions/{sessionId}", dialogRoutes::session);
            config.routes.post("/v1/dialogs/sessions/{sessionId}/responses", dialogRoutes::respond);
            config.routes.post("/v1/migrations", migrationRoutes::start);
            config.routes.get("/v1/work-items", workItemRoutes::list);
            config.routes.post("/v1/work-items/{id}/complete", workItemRoutes::complete);
            config.routes.get("/v1/instances", instanceQueries::list);
            config.routes.get("/v1/instances/counts", instanceQueries::counts);
            config.routes.post("/v1/instances/actions/{action}", instanceRoutes::bulk);
            config.routes.get("/v1/operations/{id}", instanceRoutes::operation);
            config.routes.get("/v1/dead-letters", deadLetterRoutes::list);
            config.routes.post("/v1/dead-letters/{id}/replay", deadLetterRoutes::replay);
            config.routes.get("/v1/instances/{id}", instanceQueries::get);
            config.routes.get("/v1/messages/<messageId>", messageRoutes::get);
            config.routes.post("/v1/messages/<messageId>/ack", messageRoutes::ack);
            config.routes.get("/v1/instances/{id}/transitions", instanceQueries::history);
            config.routes.get("/v1/local/instances", instanceQueries::localList);
            config.routes.get("/v1/local/instances/counts", instanceQueries::localCounts);
            config.routes.post("/v1/instances/{id}/{action}", instanceRoutes::act);
            config.routes.delete("/v1/instances/{id}", instanceRoutes::delete);
            config.routes.get("/health", ctx -> ready(ctx, publisher, definitions, queries, broker));
            config.routes.get("/health/ready", ctx -> ready(ctx, publisher, definitions, queries, broker));
            config.routes.get("/health/live", ctx -> live(ctx, definitions, queries));
            config.routes.get("/v1/me", GatewayServer::me);
            // "/console" and "/console/" alike (Javalin ignores trailing slashes): the page itself
            config.routes.get("/console", console::file);
            config.routes.get("/console/<path>", console::file);
            config.routes.get("/metrics", ctx -> {
                instances.refresh();
                ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(meters.scrape());
            });
            config.routes.exception(ProblemException.class, (e, ctx) -> {
                if (e.status() == 503 && ctx.res().getHeader("Retry-After") == null) {
                    ctx.header("Retry-After", "1"); // each 503 of the gateway's is a passing state
                }
                Json.problem(ctx, e.toProblem(ctx.path()));
            });
            config.routes.exception(
                    DefinitionRepository.NotConfirmedException.class,
                    (e, ctx) -> Json.problem(
                            ctx,
                            new Problem(
                                    "/problems/unavailable",
                                    "Not confirmed",
                                    503,
                                    e.getMessage(),
                                    ctx.path(),
                                    List.of())));
            // Javalin's own refusals (a body over its size limit: 413) as problems too, not text/plain
            config.routes.exception(
                    HttpResponseException.class,
                    (e, ctx) -> Json.problem(
                            ctx,
                            new Problem(
                                    "/problems/http-" + e.getStatus(),
                                    HttpStatus.forStatus(e.getStatus()).getMessage(),
                                    e.getStatus(),
                                    e.getMessage(),
                                    ctx.path(),
                                    List.of())));
            config.routes.exception(
                    InvalidDocumentException.class,
                    (e, ctx) -> Json.problem(ctx, ProblemException.invalid(e).toProblem(ctx.path())));
            // the caller learns that it failed and where to look, never the exception: its class and
            // message are the gateway's internals, and can carry data of other requests
            config.routes.exception(Exception.class, (e, ctx) -> {
                String trace = MDC.get("trace_id");
                log.error("{} {} failed", ctx.method(), ctx.path(), e);
                Json.problem(
                        ctx,
                        new Problem(
                                "/problems/internal",
                                "Internal error",
                                500,
                                trace == null
                                        ? "the request failed; the gateway logged why"
                                        : "the request failed; the gateway logged why under trace id " + trace,
                                ctx.path(),
                                List.of()));
            });
            config.routes.error(404, "*", ctx -> {
                if (!Problem.CONTENT_TYPE.equals(ctx.res().getContentType())) {
                    Json.problem(
                            ctx,
                            new Problem(
                                    "/problems/not-found",
                                    "Not found",
                                    404,
                                    "no route " + ctx.path(),
                                    ctx.path(),
                                    List.of()));
                }
            });
        });
        app.start();
        return new GatewayServer(app, broker, bulk);
    }

    /**
     * {@code OPTIONS} on a route's path (an authenticated caller's, not a CORS preflight, which
     * {@link Cors} answers): 204 with the methods it allows; 404 for a path no route has.
     */
    private static void options(Context ctx) {
        if (ctx.method() != HandlerType.OPTIONS) {
            return;
        }
        Set<String> methods = AccessRules.methodsAt(ctx.path());
        if (methods.isEmpty()) {
            throw new ProblemException(404, "not-found", "Not found", "no route " + ctx.path(), List.of());
        }
        ctx.header("Allow", "OPTIONS, " + String.join(", ", methods));
        ctx.status(204);
        ctx.skipRemainingHandlers();
    }

    /**
     * Liveness: the process can serve, its definitions' reader runs and its query side has not
     * failed. DOWN means restart it; a broker outage does not make it DOWN (a restart would not help).
     */
    private static void live(Context ctx, DefinitionRepository definitions, QueryStores queries) {
        boolean up = definitions.isRunning() && queries.isRunning();
        Json.respond(
                ctx,
                up ? 200 : 503,
                Map.of(
                        "status", up ? "UP" : "DOWN",
                        "definitionsProjection", up(definitions.isRunning()),
                        "querySide", up(queries.isRunning())));
    }

    /**
     * Readiness: live, the brokers answer, the event producer's last send did not fail for good,
     * and the query side has restored its stores since the start, so that a request can succeed.
     * DOWN means send it no traffic for now. A later rebalance of the query side does not make the
     * process unready: every gateway would go at once, and the queries of a moving partition answer
     * 503 on their own. {@code /health} answers the same.
     */
    private static void ready(
            Context ctx,
            EventPublisher publisher,
            DefinitionRepository definitions,
            QueryStores queries,
            BrokerProbe broker) {
        boolean reachable = broker.reachable();
        Optional<String> producer = publisher.failure();
        boolean querySide = queries.isRunning() && queries.restored();
        boolean up = reachable && producer.isEmpty() && definitions.isRunning() && querySide;
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", up ? "UP" : "DOWN");
        body.put("broker", reachable ? "REACHABLE" : "UNREACHABLE");
        body.put("producer", producer.map(why -> "DOWN: " + why).orElse("UP"));
        body.put("definitionsProjection", up(definitions.isRunning()));
        body.put("querySide", queries.isRunning() ? (queries.restored() ? "UP" : "RESTORING") : "DOWN");
        Json.respond(ctx, up ? 200 : 503, body);
    }

    /** Who the caller is: its principal and roles, for the console to offer what they allow. */
    private static void me(Context ctx) {
        Principal principal = Principals.of(ctx);
        Json.respond(
                ctx,
                200,
                Map.of(
                        "principal",
                        principal.name(),
                        "roles",
                        principal.roles().stream().sorted().map(Role::id).toList()));
    }

    private static String up(boolean up) {
        return up ? "UP" : "DOWN";
    }

    public int port() {
        return app.port();
    }

    @Override
    public void close() {
        app.stop();
        bulk.close();
        broker.close();
    }
}
