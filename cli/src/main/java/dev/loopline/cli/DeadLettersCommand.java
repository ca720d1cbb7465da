package dev.loopline.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loopline.cli.Output.Column;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code loopline dead-letters list|replay}. */
@Command(name = "dead-letters", description = "Read the records that could not be processed, and replay them.")
final class DeadLettersCommand {

    @ParentCommand
    private LooplineCli cli;

    @Command(name = "list", description = "Dead letters, the last written first, with their reasons.")
    int list(
            @Option(names = "--limit", defaultValue = "50", description = "per page (default: ${DEFAULT-VALUE})")
                    int limit,
            @Option(names = "--after", paramLabel = "CURSOR", description = "the page after this cursor") String after,
            @Option(names = "--all", description = "every page, to the end") boolean all) {
        Gateway gateway = cli.gateway();
        Output output = cli.output();
        String cursor = after;
        do {
            Map<String, Object> parameters = new LinkedHashMap<>();
            parameters.put("limit", limit);
            parameters.put("after", cursor);
            JsonNode page = gateway.get(Gateway.query("/v1/dead-letters", parameters));
            output.print(
                    page,
                    page.path("items"),
                    List.of(
                            Column.of("ID", "/id"),
                            Column.of("TIME", "/time"),
                            new Column(
                                    "SOURCE",
                                    row -> row.path("sourceTopic").asText() + "-"
                                            + row.path("sourcePartition").asText() + "@"
                                            + row.path("sourceOffset").asText()),
                            Column.of("REASON", "/reason")));
            cursor = page.path("next").isNull() ? null : page.path("next").asText(null);
            if (cursor != null && !all) {
                output.line("more: --after " + cursor);
            }
        } while (all && cursor != null);
        return ExitCodes.OK;
    }

    @Command(
            name = "replay",
            description = "Put a dead letter back on its topic: as it was (once its cause is fixed), or mended.")
    int replay(
            @Parameters(paramLabel = "ID", description = "partition-offset, as listed") String id,
            @Option(
                            names = "--event",
                            paramLabel = "FILE",
                            description = "replay as this mended event (JSON; - for standard input)")
                    String event,
            @Option(names = "--value", paramLabel = "BASE64", description = "an acknowledgement's mended bytes")
                    String value) {
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        if (event != null && value != null) {
            throw new Refusal(ExitCodes.USAGE, "--event or --value, not both");
        }
        if (event != null) {
            try {
                body.set("event", Gateway.JSON.readTree(cli.read(event)));
            } catch (IOException e) {
                throw new Refusal(ExitCodes.REFUSED, "the mended event is not JSON: " + e.getMessage());
            }
        }
        if (value != null) {
            body.put("value", value);
        }
        JsonNode answer = cli.gateway().post("/v1/dead-letters/" + Gateway.segment(id) + "/replay", body.toString());
        cli.output()
                .print(
                        answer,
                        List.of(answer),
                        List.of(
                                Column.of("REPLAYED", "/replayed"),
                                new Column(
                                        "TO",
                                        row -> row.path("topic").asText() + "-"
                                                + row.path("partition").asText() + "@"
                                                + row.path("offset").asText())));
        return ExitCodes.OK;
    }
}
