package dev.loopline.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loopline.cli.Output.Column;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code loopline events publish}. */
@Command(name = "events", description = "Publish platform events.")
final class EventsCommand {

    @ParentCommand
    private LooplineCli cli;

    @Command(
            name = "publish",
            description = "Publish events, one JSON document per line (give each an eventId, so that a"
                    + " retry starts nothing twice). Every line is tried; the exit code is that of the"
                    + " first that failed.")
    int publish(
            @Parameters(
                            paramLabel = "FILE",
                            defaultValue = "-",
                            description = "the events; - (the default) for standard input")
                    String file) {
        Gateway gateway = cli.gateway();
        Output output = cli.output();
        int exit = ExitCodes.OK;
        int line = 0;
        ArrayNode results = JsonNodeFactory.instance.arrayNode();
        for (String document : cli.read(file).split("\\R")) {
            line++;
            if (document.isBlank()) {
                continue;
            }
            ObjectNode result = JsonNodeFactory.instance.objectNode().put("line", line);
            try {
                JsonNode accepted = gateway.post("/v1/events", document);
                result.put("eventId", accepted.path("eventId").asText()).put("result", "accepted");
            } catch (Refusal refusal) {
                result.put("result", "refused: " + refusal.getMessage());
                exit = exit == ExitCodes.OK ? refusal.exitCode() : exit;
            }
            if (output.json()) {
                output.json(result); // as it happens, a line of output per line of input
            } else {
                results.add(result);
            }
        }
        if (!output.json()) {
            output.table(
                    results,
                    List.of(
                            Column.of("LINE", "/line"),
                            Column.of("EVENT", "/eventId"),
                            Column.of("RESULT", "/result")));
        }
        return exit;
    }
}
