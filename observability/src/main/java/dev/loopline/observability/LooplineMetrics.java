package dev.loopline.observability;

import static dev.loopline.api.config.Setting.Reader.GATEWAY;
import static dev.loopline.api.config.Setting.Reader.RUNTIME;

import dev.loopline.api.config.Setting;
import dev.loopline.observability.LooplineMetric.Kind;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The catalogue of Loopline's own metrics, each declared once: the code records them through these
 * constants, the README's metrics table is made from them ({@link #markdown()}), and the metrics
 * test checks that a real scrape of each process shows every one it serves. Kafka's, the JVM's and
 * the process's meters come beside them (see {@link Meters}).
 */
public final class LooplineMetrics {

    public static final LooplineMetric INSTANCES_STARTED = new LooplineMetric(
            "loopline.instances.started",
            Kind.COUNTER,
            List.of("definition"),
            Set.of(RUNTIME),
            "instances started, by definition");

    public static final LooplineMetric INSTANCES_COMPLETED = new LooplineMetric(
            "loopline.instances.completed",
            Kind.COUNTER,
            List.of("definition", "status"),
            Set.of(RUNTIME),
            "instances completed, by definition and status: `succeeded` (30), `failed` (31), `canceled` (32)");

    public static final LooplineMetric INSTANCES = new LooplineMetric(
            "loopline.instances",
            Kind.GAUGE,
            List.of("definition", "state", "status"),
            Set.of(GATEWAY),
            "instances by definition, state and status code, of the query-side partitions this gateway"
                    + " serves: sum over the gateways (`sum by (state, status) (loopline_instances)`)");

    public static final LooplineMetric MESSAGE_ROUND_TRIP = new LooplineMetric(
            "loopline.message.round.trip",
            Kind.HISTOGRAM,
            List.of("message"),
            Set.of(RUNTIME),
            "the message loop, by message name: from the commit that posted a message to the"
                    + " processing of the acknowledgement that answered it");

    public static final LooplineMetric STEP_DURATION = new LooplineMetric(
            "loopline.step.duration",
            Kind.HISTOGRAM,
            List.of("kind"),
            Set.of(RUNTIME),
            "how long instances stayed at a step they waited in, by step kind (`send-message`, `create-task`,"
                    + " `wait-for-event`, `delay`, and `started` for the \"workflow started\" message): from the"
                    + " start of the wait to the input that moved the instance on");

    public static final LooplineMetric TIMER_LATENESS = new LooplineMetric(
            "loopline.timer.lateness",
            Kind.HISTOGRAM,
            List.of(),
            Set.of(RUNTIME),
            "how long after its due time a timer (a delay, a timeout, a retry) fired");

    public static final LooplineMetric RETRIES = new LooplineMetric(
            "loopline.retries",
            Kind.COUNTER,
            List.of("definition"),
            Set.of(RUNTIME),
            "steps postponed to be tried again after a failure the failure policy retries");

    public static final LooplineMetric POSTPONEMENTS = new LooplineMetric(
            "loopline.postponements",
            Kind.COUNTER,
            List.of("definition"),
            Set.of(RUNTIME),
            "new jobs postponed at their start because their definition's last jobs failed in a row");

    public static final LooplineMetric LOOP_PROTECTION_TRIPS = new LooplineMetric(
            "loopline.loop.protection.trips",
            Kind.COUNTER,
            List.of("definition"),
            Set.of(RUNTIME),
            "jobs stopped by loop protection (`InfiniteLoop`): too deep a chain of causes, or too many runs"
                    + " on one record");

    public static final LooplineMetric DEAD_LETTERS = new LooplineMetric(
            "loopline.dead.letters",
            Kind.COUNTER,
            List.of("reason"),
            Set.of(RUNTIME, GATEWAY),
            "records put on the dead-letter topic, by reason: `unreadable` (could not be read), `rejected`"
                    + " (a processor refused it), `expired` (an early acknowledgement whose instance never"
                    + " started)");

    public static final LooplineMetric OPERATOR_ACTIONS = new LooplineMetric(
            "loopline.operator.actions",
            Kind.COUNTER,
            List.of("action", "outcome"),
            Set.of(RUNTIME),
            "operator actions the runtime decided, by action and outcome: `applied`, `refused` (the rules"
                    + " forbid it now), `unknown` (no such instance)");

    public static final LooplineMetric HTTP_REQUESTS = new LooplineMetric(
            "loopline.http.requests",
            Kind.HISTOGRAM,
            List.of("method", "route", "status"),
            Set.of(GATEWAY),
            "HTTP requests by method, route (as registered, `{id}` for path parameters; `unmatched` for"
                    + " none) and status");

    public static final LooplineMetric WEBHOOK_DELIVERIES = new LooplineMetric(
            "loopline.webhook.deliveries",
            Kind.COUNTER,
            List.of("message", "outcome"),
            Set.of(GATEWAY),
            "webhook deliveries by message name and outcome: `succeeded` (2xx), `failed` (4xx or 5xx),"
                    + " `timeout`, `unreachable`");

    public static final LooplineMetric RESTORING_PARTITIONS = new LooplineMetric(
            "loopline.restoring.partitions",
            Kind.GAUGE,
            List.of(),
            Set.of(RUNTIME, GATEWAY),
            "changelog partitions of this process's active tasks being restored now (the runtime's two"
                    + " applications, or the gateway's query side): the process is not ready while any is");

    public static final List<LooplineMetric> ALL = List.of(
            INSTANCES_STARTED,
            INSTANCES_COMPLETED,
            INSTANCES,
            MESSAGE_ROUND_TRIP,
            STEP_DURATION,
            TIMER_LATENESS,
            RETRIES,
            POSTPONEMENTS,
            LOOP_PROTECTION_TRIPS,
            DEAD_LETTERS,
            OPERATOR_ACTIONS,
            HTTP_REQUESTS,
            WEBHOOK_DELIVERIES,
            RESTORING_PARTITIONS);

    private LooplineMetrics() {}

    /** The catalogue as a Markdown table, for the README. */
    public static String markdown() {
        StringBuilder table =
                new StringBuilder("| metric | type | labels | served by | what |\n|---|---|---|---|---|\n");
        for (LooplineMetric metric : ALL) {
            table.append("| `")
                    .append(metric.prometheusName())
                    .append("` | ")
                    .append(metric.kind().name().toLowerCase(java.util.Locale.ROOT))
                    .append(" | ")
                    .append(metric.labels().stream().map(l -> "`" + l + "`").collect(Collectors.joining(", ")))
                    .append(" | ")
                    .append(metric.servedBy().stream()
                            .sorted()
                            .map(Setting.Reader::id)
                            .collect(Collectors.joining(", ")))
                    .append(" | ")
                    .append(metric.doc().replace("|", "\\|"))
                    .append(" |\n");
        }
        return table.toString();
    }
}
