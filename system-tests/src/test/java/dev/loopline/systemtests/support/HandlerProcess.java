package dev.loopline.systemtests.support;

import dev.loopline.api.Topics;
import dev.loopline.examples.expense.ExpenseHandler;
import dev.loopline.testsupport.infra.Infrastructure;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;

/** The example expense handler ({@code examples/expense-handler}) in a JVM of its own, to be killed. */
public final class HandlerProcess extends JvmProcess {

    private HandlerProcess(Map<String, String> environment, Path log) {
        super(ExpenseHandler.class, environment, log);
    }

    public static HandlerProcess start(Infrastructure infra, Topics topics, String group, URI approvals, Path log) {
        return new HandlerProcess(
                Map.of(
                        "LOOPLINE_BOOTSTRAP_SERVERS", infra.bootstrapServers(),
                        "LOOPLINE_SCHEMA_REGISTRY_URL", infra.schemaRegistryUrl(),
                        "LOOPLINE_TOPIC_PREFIX", topics.prefix(),
                        "APPROVALS_URL", approvals.toString(),
                        "HANDLER_GROUP", group),
                log);
    }
}
