package dev.loopline.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loopline.cli.Output.Column;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code loopline work-items list|complete}: the open work items of approval steps. */
@Command(name = "work-items", description = "List and answer the open work items of approval steps.")
final class WorkItemsCommand {

    @ParentCommand
    private LooplineCli cli;

    @Command(name = "list", description = "An assignee's open work items, newest instance first.")
    int list(
            @Option(names = "--assignee", required = true, paramLabel = "NAME") String assignee,
            @Option(names = "--all", description = "every page, to the end") boolean all) {
        Gateway gateway = cli.gateway();
        String cursor = null;
        do {
            Map<String, Object> parameters = new LinkedHashMap<>();
            parameters.put("assignee", assignee);
            parameters.put("after", cursor);
            JsonNode page = gateway.get(Gateway.query("/v1/work-items", parameters));
            cli.output()
                    .print(
                            page,
                            page.path("items"),
                            List.of(
                                    Column.of("ID", "/id"),
                                    Column.of("STEP", "/step"),
                                    Column.of("SUBJECT", "/subject"),
                                    Column.of("DUE", "/dueAt"),
                                    Column.of("DEFINITION", "/definitionId"),
                                    Column.of("ENTITY", "/entityId")));
            cursor = page.path("next").isNull() ? null : page.path("next").asText(null);
            if (cursor != null && !all) {
                cli.output().line("more: --all");
            }
        } while (cursor != null && all);
        return ExitCodes.OK;
    }

    @Command(name = "complete", description = "Answer a work item: Approve, Reject, RequestChange or Delegate.")
    int complete(
            @Parameters(paramLabel = "ID") String id,
            @Option(names = "--outcome", required = true, paramLabel = "OUTCOME") String outcome,
            @Option(names = "--delegate-to", paramLabel = "NAME", description = "with Delegate") String delegateTo,
            @Option(names = "--comment", paramLabel = "TEXT") String comment,
            @Option(names = "--by", paramLabel = "NAME", description = "who answered (operators only)") String by) {
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.put("outcome", outcome);
        if (delegateTo != null) {
            body.put("delegateTo", delegateTo);
        }
        if (comment != null) {
            body.put("comment", comment);
        }
        if (by != null) {
            body.put("by", by);
        }
        JsonNode answer = cli.gateway().post("/v1/work-items/" + Gateway.segment(id) + "/complete", body.toString());
        cli.output()
                .print(
                        answer,
                        List.of(answer),
                        List.of(Column.of("WORK ITEM", "/workItemId"), Column.of("EVENT", "/eventId")));
        return ExitCodes.OK;
    }
}
