package dev.loopline.gateway.security;

import static dev.loopline.api.security.Role.ADMINISTRATOR;
import static dev.loopline.api.security.Role.APPLICATION;
import static dev.loopline.api.security.Role.MONITOR;
import static dev.loopline.api.security.Role.OPERATOR;
import static dev.loopline.api.security.Role.PUBLISHER;
import static dev.loopline.api.security.Role.READER;

import dev.loopline.api.security.Role;
import io.javalin.http.HandlerType;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Which roles may call which route: the gateway's one access table. The authorisation handler
 * looks every matched route up here, and a route that is not listed is refused to everyone, so a
 * new route cannot be reachable before someone decides who may call it. The README's table is
 * {@link #markdown()}, and the authorisation tests enumerate {@link #RULES}.
 */
public final class AccessRules {

    /** One route (as registered with Javalin, path parameters in braces) and the roles that may call it. */
    public record Rule(HandlerType method, String path, Set<Role> roles, String what) {

        public Rule {
            roles = Set.copyOf(EnumSet.copyOf(roles));
        }
    }

    public static final List<Rule> RULES = List.of(
            rule(HandlerType.POST, "/v1/events", "publish an event", PUBLISHER),
            rule(HandlerType.POST, "/v1/definitions", "create or edit a definition", ADMINISTRATOR),
            rule(
                    HandlerType.GET,
                    "/v1/definitions",
                    "list definitions with their versions and instance counts",
                    ADMINISTRATOR,
                    READER),
            rule(
                    HandlerType.GET,
                    "/v1/definitions/schema",
                    "the JSON Schema of definition documents",
                    ADMINISTRATOR,
                    READER),
            rule(HandlerType.GET, "/v1/definitions/{id}", "read a definition", ADMINISTRATOR, READER),
            rule(
                    HandlerType.GET,
                    "/v1/definitions/{id}/versions/{version}",
                    "read one saved version of a definition",
                    ADMINISTRATOR,
                    READER),
            rule(HandlerType.POST, "/v1/definitions/{id}/activate", "activate a definition", ADMINISTRATOR),
            rule(HandlerType.POST, "/v1/definitions/{id}/deactivate", "deactivate a definition", ADMINISTRATOR),
            rule(
                    HandlerType.POST,
                    "/v1/definitions/{id}/instances",
                    "start an instance on demand, with initiation data (a publisher for source on-demand)",
                    OPERATOR,
                    PUBLISHER),
            rule(
                    HandlerType.POST,
                    "/v1/dialogs/{id}/sessions",
                    "start a dialog session (a publisher for source dialog)",
                    OPERATOR,
                    PUBLISHER),
            rule(
                    HandlerType.GET,
                    "/v1/dialogs/sessions/{sessionId}",
                    "a dialog session: its state, current page and answers",
                    OPERATOR,
                    PUBLISHER),
            rule(
                    HandlerType.POST,
                    "/v1/dialogs/sessions/{sessionId}/responses",
                    "answer a dialog session's current page",
                    OPERATOR,
                    PUBLISHER),
            rule(
                    HandlerType.GET,
                    "/v1/work-items",
                    "list the open work items of an assignee (approval steps), as instance queries do",
                    READER),
            rule(
                    HandlerType.POST,
                    "/v1/work-items/{id}/complete",
                    "answer a work item: approve, reject, request a change or delegate (an application for its assignee)",
                    OPERATOR,
                    APPLICATION),
            rule(
                    HandlerType.POST,
                    "/v1/migrations",
                    "migrate running instances to another version of their definition (dryRun=true: what it would do)",
                    OPERATOR),
            rule(HandlerType.GET, "/v1/instances", "query instances", READER),
            rule(HandlerType.GET, "/v1/instances/counts", "count instances by state and status", READER),
            rule(
                    HandlerType.POST,
                    "/v1/instances/actions/{action}",
                    "act on every matching instance, in the background",
                    OPERATOR),
            rule(HandlerType.GET, "/v1/operations/{id}", "a bulk action's progress", OPERATOR, READER),
            rule(HandlerType.GET, "/v1/dead-letters", "list dead letters and their reasons", OPERATOR),
            rule(
                    HandlerType.POST,
                    "/v1/dead-letters/{id}/replay",
                    "put a dead letter, as it was or mended, back on its topic",
                    OPERATOR),
            rule(HandlerType.GET, "/v1/instances/{id}", "read an instance", READER),
            rule(
                    HandlerType.GET,
                    "/v1/messages/<messageId>",
                    "read a message a workflow posted, and its answer",
                    APPLICATION,
                    READER),
            rule(
                    HandlerType.POST,
                    "/v1/messages/<messageId>/ack",
                    "answer a message (the message id as it is, slashes included)",
                    APPLICATION),
            rule(HandlerType.GET, "/v1/instances/{id}/transitions", "read an instance's transitions", READER),
            rule(HandlerType.POST, "/v1/instances/{id}/{action}", "cancel, pause, resume or postpone", OPERATOR),
            rule(HandlerType.DELETE, "/v1/instances/{id}", "delete a completed instance", OPERATOR),
            rule(
                    HandlerType.GET,
                    "/v1/local/instances",
                    "query this process's partitions (gateway processes ask each other)",
                    READER),
            rule(
                    HandlerType.GET,
                    "/v1/local/instances/counts",
                    "count this process's partitions (gateway processes ask each other)",
                    READER),
            rule(HandlerType.GET, "/health", "readiness, as /health/ready", READER, MONITOR),
            rule(
                    HandlerType.GET,
                    "/health/ready",
                    "readiness: live, the brokers answer, and the query side has restored",
                    READER,
                    MONITOR),
            rule(
                    HandlerType.GET,
                    "/health/live",
                    "liveness: the producers, the definitions reader and the query side run",
                    READER,
                    MONITOR),
            rule(HandlerType.GET, "/metrics", "the gateway's metrics, in Prometheus' text format", MONITOR),
            anyRole(HandlerType.GET, "/v1/me", "who the caller is, and its roles"),
            anyRole(HandlerType.GET, "/console", "the web console (also /console/)"),
            anyRole(HandlerType.GET, "/console/<path>", "the web console's files"));

    private AccessRules() {}

    /** The roles that may call the route registered as {@code method path}, if it is listed. */
    public static Optional<Set<Role>> rolesFor(HandlerType method, String path) {
        return RULES.stream()
                .filter(rule -> rule.method().equals(method) && rule.path().equals(path))
                .map(Rule::roles)
                .findFirst();
    }

    /**
     * The methods some route answers at this request path (path parameters match any one
     * segment), for {@code OPTIONS}' {@code Allow}; empty when no route has the path.
     */
    public static Set<String> methodsAt(String path) {
        String[] segments = path.split("/", -1);
        return RULES.stream()
                .filter(rule -> matches(rule.path().split("/", -1), segments))
                .map(rule -> rule.method().name())
                .collect(Collectors.toCollection(TreeSet::new));
    }

    /**
     * Whether a route's path matches a request's: a {@code {parameter}} stands for one segment, a
     * {@code <parameter>} for one or more (Javalin's parameter that may hold slashes).
     */
    private static boolean matches(String[] template, String[] segments) {
        return matches(template, 0, segments, 0);
    }

    private static boolean matches(String[] template, int t, String[] segments, int s) {
        if (t == template.length) {
            return s == segments.length;
        }
        if (s == segments.length) {
            return false;
        }
        if (template[t].startsWith("<")) {
            for (int end = s + 1; end <= segments.length; end++) {
                if (!segments[end - 1].isEmpty() && matches(template, t + 1, segments, end)) {
                    return true;
                }
            }
            return false;
        }
        boolean parameter = template[t].startsWith("{") && !segments[s].isEmpty();
        return (parameter || template[t].equals(segments[s])) && matches(template, t + 1, segments, s + 1);
    }

    /** The table as Markdown, for the README. */
    public static String markdown() {
        StringBuilder table = new StringBuilder("| route | roles | what |\n|---|---|---|\n");
        for (Rule rule : RULES) {
            table.append("| `")
                    .append(rule.method().name())
                    .append(' ')
                    .append(rule.path())
                    .append("` | ")
                    .append(rule.roles().stream()
                            .sorted()
                            .map(Role::id)
                            .map(id -> "`" + id + "`")
                            .collect(Collectors.joining(", ")))
                    .append(" | ")
                    .append(rule.what())
                    .append(" |\n");
        }
        return table.toString();
    }

    private static Rule rule(HandlerType method, String path, String what, Role first, Role... more) {
        return new Rule(method, path, EnumSet.of(first, more), what);
    }

    /** A route every authenticated caller may call, whatever its roles. */
    private static Rule anyRole(HandlerType method, String path, String what) {
        return new Rule(method, path, EnumSet.allOf(Role.class), what);
    }

    /** Prints {@link #markdown()}: {@code java -cp … dev.loopline.gateway.security.AccessRules}. */
    public static void main(String[] args) {
        System.out.print(markdown());
    }
}
