package dev.loopline.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loopline.cli.Output.Column;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code loopline definitions deploy|list|get|activate|start|deactivate}. */
@Command(
        name = "definitions",
        description = "Deploy, read, activate and deactivate workflow definitions, and start them on demand.")
final class DefinitionsCommand {

    private static final List<Column> SUMMARY = List.of(
            Column.of("ID", "/id"),
            Column.of("VERSION", "/version"),
            Column.of("STATUS", "/status"),
            Column.of("NAME", "/name"));

    @ParentCommand
    private LooplineCli cli;

    @Command(name = "deploy", description = "Create or edit a definition (a draft until activated).")
    int deploy(
            @Parameters(paramLabel = "FILE", description = "the definition document; - for standard input") String file,
            @Option(names = "--activate", description = "activate it once saved") boolean activate) {
        Gateway gateway = cli.gateway();
        JsonNode saved = gateway.post("/v1/definitions", cli.read(file));
        if (activate) {
            saved = gateway.post(
                    "/v1/definitions/" + Gateway.segment(saved.path("id").asText()) + "/activate", "");
        }
        cli.output().print(saved, List.of(saved), SUMMARY);
        return ExitCodes.OK;
    }

    @Command(name = "list", description = "Every definition, with its versions and its instances.")
    int list() {
        JsonNode answer = cli.gateway().get("/v1/definitions");
        cli.output()
                .print(
                        answer,
                        answer.path("items"),
                        List.of(
                                Column.of("ID", "/id"),
                                Column.of("STATUS", "/status"),
                                Column.of("VERSION", "/version"),
                                Column.of("ACTIVE", "/activeVersion"),
                                new Column("INSTANCES", DefinitionsCommand::instances),
                                Column.of("NAME", "/name")));
        return ExitCodes.OK;
    }

    @Command(name = "get", description = "A definition's document (the current one, or a saved version).")
    int get(
            @Parameters(paramLabel = "ID") String id,
            @Option(names = "--version", paramLabel = "N", description = "a saved version") Integer version) {
        String path = "/v1/definitions/" + Gateway.segment(id) + (version == null ? "" : "/versions/" + version);
        JsonNode definition = cli.gateway().get(path);
        Output output = cli.output();
        output.print(definition, List.of(definition), SUMMARY);
        output.line(definition.path("document").toPrettyString());
        return ExitCodes.OK;
    }

    @Command(name = "activate", description = "Let matching events start instances of the current version.")
    int activate(@Parameters(paramLabel = "ID") String id) {
        return change(id, "activate");
    }

    @Command(
            name = "start",
            description = "Start an instance of an on-demand definition on one record, with initiation data.")
    int start(
            @Parameters(paramLabel = "ID") String id,
            @Option(
                            names = "--entity",
                            required = true,
                            paramLabel = "ENTITY_ID",
                            description = "the record it runs on")
                    String entityId,
            @Option(
                            names = "--request-id",
                            paramLabel = "ID",
                            description = "makes a retry start nothing twice (made up when left out)")
                    String requestId,
            @Option(
                            names = "--input",
                            paramLabel = "NAME=VALUE",
                            description = "an input; a number, true or false is sent as one, anything else as text")
                    Map<String, String> inputs) {
        ObjectNode body = JsonNodeFactory.instance.objectNode().put("entityId", entityId);
        if (requestId != null) {
            body.put("requestId", requestId);
        }
        ObjectNode values = body.putObject("inputs");
        if (inputs != null) {
            inputs.forEach((name, value) -> values.set(name, scalar(value)));
        }
        JsonNode started = cli.gateway().post("/v1/definitions/" + Gateway.segment(id) + "/instances", body.toString());
        cli.output()
                .print(
                        started,
                        List.of(started),
                        List.of(Column.of("INSTANCE", "/instanceId"), Column.of("REQUEST", "/requestId")));
        return ExitCodes.OK;
    }

    /** A command-line value as JSON: a whole or decimal number, a boolean, or else text. */
    static JsonNode scalar(String value) {
        if (value.equals("true") || value.equals("false")) {
            return JsonNodeFactory.instance.booleanNode(Boolean.parseBoolean(value));
        }
        if (value.matches("-?\\d{1,18}")) {
            return JsonNodeFactory.instance.numberNode(Long.parseLong(value));
        }
        if (value.matches("-?\\d+\\.\\d+")) {
            return JsonNodeFactory.instance.numberNode(Double.parseDouble(value));
        }
        return JsonNodeFactory.instance.textNode(value);
    }

    @Command(name = "deactivate", description = "Start no new instances; running ones go on.")
    int deactivate(@Parameters(paramLabel = "ID") String id) {
        return change(id, "deactivate");
    }

    private int change(String id, String action) {
        JsonNode definition = cli.gateway().post("/v1/definitions/" + Gateway.segment(id) + "/" + action, "");
        cli.output().print(definition, List.of(definition), SUMMARY);
        return ExitCodes.OK;
    }

    /** The instances of every state and status, added up. */
    private static String instances(JsonNode definition) {
        long total = 0;
        for (JsonNode byStatus : definition.path("instances")) {
            for (JsonNode count : byStatus) {
                total += count.asLong();
            }
        }
        return Long.toString(total);
    }
}
