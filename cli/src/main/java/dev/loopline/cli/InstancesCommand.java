package dev.loopline.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loopline.cli.Output.Column;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code loopline instances list|get|history|counts|cancel|pause|resume|postpone|delete}. An action
 * takes instance ids, or a filter ({@code --definition orders --status 10}, the filters of {@code
 * list}) to act on every match in the background as one bulk operation.
 */
@Command(name = "instances", description = "Query instances and act on them, one by one or by filter.")
final class InstancesCommand {

    private static final List<Column> SUMMARY = List.of(
            Column.of("ID", "/instanceId"),
            Column.of("DEFINITION", "/definitionId"),
            Column.of("STATE", "/state"),
            Column.of("STATUS", "/statusCode"),
            new Column("WAITING FOR", row -> String.join(" ", texts(row.path("waitingFor")))),
            Column.of("ERROR", "/errorCode"),
            Column.of("CREATED", "/createdAt"));

    private static final List<Column> TRANSITIONS = List.of(
            Column.of("SEQ", "/sequence"),
            Column.of("TIME", "/timestamp"),
            Column.of("STATE", "/state"),
            Column.of("STATUS", "/statusCode"),
            Column.of("RETRIES", "/retryCount"),
            Column.of("ERROR", "/errorCode"),
            Column.of("REASON", "/reason"));

    private static final Duration POLL = Duration.ofMillis(500);

    @ParentCommand
    private LooplineCli cli;

    /** The filters of {@code GET /v1/instances}. */
    static final class Filter {
        @Option(names = "--definition", paramLabel = "ID", description = "of this definition")
        String definitionId;

        @Option(names = "--definition-version", paramLabel = "N", description = "and of this version of it")
        Integer definitionVersion;

        @Option(names = "--state", paramLabel = "STATE", description = "READY, LOCKED, SUSPENDED or COMPLETED")
        String state;

        @Option(names = "--status", paramLabel = "CODE", description = "0, 10, 20, 21, 22, 30, 31 or 32")
        Integer statusCode;

        @Option(names = "--entity-type", paramLabel = "TYPE")
        String entityType;

        @Option(names = "--entity-id", paramLabel = "ID")
        String entityId;

        @Option(names = "--error-code", paramLabel = "CODE")
        String errorCode;

        @Option(names = "--waiting-for", paramLabel = "WHAT", description = "message:<name>, event:<name> or timer")
        String waitingFor;

        @Option(names = "--from", paramLabel = "INSTANT", description = "created at or after (ISO-8601)")
        String from;

        @Option(names = "--to", paramLabel = "INSTANT", description = "created before (ISO-8601)")
        String to;

        @Option(names = "--assignee", paramLabel = "NAME", description = "with an open work item of this assignee")
        String assignee;

        @Option(names = "--parent", paramLabel = "ID", description = "started by this instance (its children)")
        String parentInstanceId;

        Map<String, Object> parameters() {
            Map<String, Object> parameters = new LinkedHashMap<>();
            parameters.put("definitionId", definitionId);
            parameters.put("definitionVersion", definitionVersion);
            parameters.put("state", state);
            parameters.put("statusCode", statusCode);
            parameters.put("entityType", entityType);
            parameters.put("entityId", entityId);
            parameters.put("errorCode", errorCode);
            parameters.put("waitingFor", waitingFor);
            parameters.put("assignee", assignee);
            parameters.put("parentInstanceId", parentInstanceId);
            parameters.put("from", from);
            parameters.put("to", to);
            parameters.values().removeIf(java.util.Objects::isNull);
            return parameters;
        }
    }

    @Command(name = "list", description = "Instances, newest first, a page at a time.")
    int list(
            @Mixin Filter filter,
            @Option(
                            names = "--limit",
                            defaultValue = "100",
                            description = "per page, 1 to 500 (default: ${DEFAULT-VALUE})")
                    int limit,
            @Option(
                            names = "--after",
                            paramLabel = "CURSOR",
                            description = "the page after this cursor (the last page's next)")
                    String after,
            @Option(names = "--all", description = "every page, to the end") boolean all) {
        Gateway gateway = cli.gateway();
        Output output = cli.output();
        String cursor = after;
        do {
            Map<String, Object> parameters = new LinkedHashMap<>(filter.parameters());
            parameters.put("limit", limit);
            parameters.put("after", cursor);
            JsonNode page = gateway.get(Gateway.query("/v1/instances", parameters));
            output.print(page, page.path("items"), SUMMARY);
            cursor = page.path("next").isNull() ? null : page.path("next").asText(null);
            if (cursor != null && !all) {
                output.line("more: --after " + cursor);
            }
        } while (all && cursor != null);
        return ExitCodes.OK;
    }

    @Command(name = "get", description = "An instance: its state, status, error, and transitions.")
    int get(
            @Parameters(paramLabel = "ID") String id,
            @Option(names = "--watch", description = "print each new transition until the instance completes")
                    boolean watch)
            throws InterruptedException {
        Gateway gateway = cli.gateway();
        Output output = cli.output();
        JsonNode instance = gateway.get("/v1/instances/" + Gateway.segment(id));
        output.print(instance, List.of(instance), SUMMARY);
        if (!watch) {
            if (!output.json()) {
                output.line("");
                output.table(instance.path("transitions"), TRANSITIONS);
            }
            return ExitCodes.OK;
        }
        int shown = 0;
        while (true) {
            JsonNode transitions = instance.path("transitions");
            ArrayNode fresh = JsonNodeFactory.instance.arrayNode();
            for (int i = shown; i < transitions.size(); i++) {
                fresh.add(transitions.get(i));
            }
            shown = transitions.size();
            if (!fresh.isEmpty()) {
                if (output.json()) {
                    fresh.forEach(output::json);
                } else {
                    output.table(fresh, TRANSITIONS);
                }
            }
            if (instance.path("state").asText().equals("COMPLETED")) {
                return ExitCodes.OK;
            }
            Thread.sleep(POLL.toMillis());
            instance = gateway.get("/v1/instances/" + Gateway.segment(id));
        }
    }

    @Command(name = "history", description = "An instance's transitions, oldest first.")
    int history(@Parameters(paramLabel = "ID") String id) {
        JsonNode history = cli.gateway().get("/v1/instances/" + Gateway.segment(id) + "/transitions");
        cli.output().print(history, history.path("transitions"), TRANSITIONS);
        return ExitCodes.OK;
    }

    @Command(name = "counts", description = "Instances by state and status code.")
    int counts() {
        JsonNode counts = cli.gateway().get("/v1/instances/counts");
        ArrayNode rows = JsonNodeFactory.instance.arrayNode();
        for (Map.Entry<String, JsonNode> state : counts.properties()) {
            for (Map.Entry<String, JsonNode> status : state.getValue().properties()) {
                rows.add(JsonNodeFactory.instance
                        .objectNode()
                        .put("state", state.getKey())
                        .put("status", status.getKey())
                        .put("instances", status.getValue().asLong()));
            }
        }
        cli.output()
                .print(
                        counts,
                        rows,
                        List.of(
                                Column.of("STATE", "/state"),
                                Column.of("STATUS", "/status"),
                                Column.of("INSTANCES", "/instances")));
        return ExitCodes.OK;
    }

    @Command(name = "cancel", description = "Cancel (Completed/Canceled, 32).")
    int cancel(
            @Parameters(paramLabel = "ID", arity = "0..*") List<String> ids,
            @Mixin Filter filter,
            @Option(
                            names = "--compensate",
                            description = "first undo the steps that succeeded, through their compensations")
                    boolean compensate,
            @Mixin Bulk bulk)
            throws InterruptedException {
        bulk.compensate = compensate;
        return act("cancel", ids, filter, null, bulk);
    }

    @Command(name = "pause", description = "Pause a Locked instance (Suspended, 21 then 10).")
    int pause(@Parameters(paramLabel = "ID", arity = "0..*") List<String> ids, @Mixin Filter filter, @Mixin Bulk bulk)
            throws InterruptedException {
        return act("pause", ids, filter, null, bulk);
    }

    @Command(name = "resume", description = "Resume a paused or suspended instance.")
    int resume(@Parameters(paramLabel = "ID", arity = "0..*") List<String> ids, @Mixin Filter filter, @Mixin Bulk bulk)
            throws InterruptedException {
        return act("resume", ids, filter, null, bulk);
    }

    @Command(name = "postpone", description = "Postpone a Ready or Locked job until a later time.")
    int postpone(
            @Parameters(paramLabel = "ID", arity = "0..*") List<String> ids,
            @Mixin Filter filter,
            @Option(
                            names = "--until",
                            required = true,
                            paramLabel = "INSTANT",
                            description = "ISO-8601, e.g. 2027-01-04T08:00:00Z")
                    Instant until,
            @Mixin Bulk bulk)
            throws InterruptedException {
        return act("postpone", ids, filter, until, bulk);
    }

    @Command(name = "delete", description = "Delete a completed instance (failed ones stay until deleted).")
    int delete(@Parameters(paramLabel = "ID", arity = "0..*") List<String> ids, @Mixin Filter filter, @Mixin Bulk bulk)
            throws InterruptedException {
        return act("delete", ids, filter, null, bulk);
    }

    /** The options of a bulk action. */
    static final class Bulk {
        @Option(names = "--note", paramLabel = "TEXT", description = "why, for the audit trail")
        String note;

        @Option(names = "--watch", description = "by filter: wait for the operation and show its progress")
        boolean watch;

        @Option(names = "--all-instances", description = "with no ids and no filter: every instance of the deployment")
        boolean all;

        /** Set by cancel's own option. */
        boolean compensate;
    }

    /** On each id, at once; or, with a filter and no ids, on every match as one background operation. */
    private int act(String action, List<String> ids, Filter filter, Instant until, Bulk options)
            throws InterruptedException {
        Gateway gateway = cli.gateway();
        Output output = cli.output();
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        if (until != null) {
            body.put("until", until.toString());
        }
        if (options.note != null) {
            body.put("note", options.note);
        }
        if (options.compensate) {
            body.put("compensate", true);
        }
        Map<String, Object> matching = filter.parameters();
        if (ids != null && !ids.isEmpty() && (!matching.isEmpty() || options.all)) {
            throw new Refusal(ExitCodes.USAGE, "give instance ids or a filter, not both");
        }
        if (ids != null && !ids.isEmpty()) {
            List<JsonNode> results = new ArrayList<>();
            Refusal first = null;
            for (String id : ids) {
                try {
                    String path = "/v1/instances/" + Gateway.segment(id);
                    results.add(
                            action.equals("delete")
                                    ? gateway.delete(path)
                                    : gateway.post(path + "/" + action, body.toString()));
                } catch (Refusal refusal) {
                    first = first == null ? refusal : first;
                    results.add(JsonNodeFactory.instance
                            .objectNode()
                            .put("instanceId", id)
                            .put("action", action)
                            .put("refused", refusal.getMessage()));
                }
            }
            ArrayNode rows = JsonNodeFactory.instance.arrayNode().addAll(results);
            output.print(
                    rows,
                    rows,
                    List.of(
                            Column.of("ID", "/instanceId"),
                            Column.of("STATE", "/state"),
                            Column.of("STATUS", "/statusCode"),
                            new Column(
                                    "RESULT",
                                    row -> row.has("refused")
                                            ? "refused: " + row.path("refused").asText()
                                            : row.path("reason").asText())));
            if (first != null) {
                throw first;
            }
            return ExitCodes.OK;
        }
        if (matching.isEmpty() && !options.all) {
            throw new Refusal(ExitCodes.USAGE, "give instance ids, a filter, or --all-instances");
        }
        ObjectNode filterNode = body.putObject("filter");
        matching.forEach((name, value) -> filterNode.put(name, value.toString()));
        if (matching.isEmpty()) {
            body.put("confirmAll", true);
        }
        JsonNode operation = gateway.post("/v1/instances/actions/" + action, body.toString());
        String path = "/v1/operations/"
                + Gateway.segment(operation.path("operationId").asText());
        while (options.watch && !done(operation)) {
            Thread.sleep(POLL.toMillis());
            operation = gateway.get(path);
        }
        output.print(
                operation,
                List.of(operation),
                List.of(
                        Column.of("OPERATION", "/operationId"),
                        Column.of("ACTION", "/action"),
                        Column.of("STATE", "/state"),
                        Column.of("MATCHED", "/matched"),
                        Column.of("ACCEPTED", "/accepted"),
                        Column.of("REFUSED", "/refused"),
                        Column.of("UNANSWERED", "/unanswered")));
        for (JsonNode refusal : operation.path("refusals")) {
            output.line("refused " + refusal.path("instanceId").asText() + ": "
                    + refusal.path("reason").asText());
        }
        if (options.watch && operation.path("state").asText().equals("FAILED")) {
            throw new Refusal(
                    ExitCodes.UNAVAILABLE,
                    "the operation failed: " + operation.path("error").asText());
        }
        return ExitCodes.OK;
    }

    private static boolean done(JsonNode operation) {
        String state = operation.path("state").asText();
        return state.equals("SUCCEEDED") || state.equals("FAILED");
    }

    private static List<String> texts(JsonNode array) {
        List<String> texts = new ArrayList<>();
        array.forEach(node -> texts.add(node.asText()));
        return texts;
    }
}
