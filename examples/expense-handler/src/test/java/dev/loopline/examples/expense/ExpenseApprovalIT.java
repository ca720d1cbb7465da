package dev.loopline.examples.expense;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.loopline.client.Ack;
import dev.loopline.client.Message;
import dev.loopline.testkit.Loopline;
import dev.loopline.testkit.LooplineTest;
import dev.loopline.testkit.WorkflowRun;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The expense-approval workflow ({@code examples/expense-approval.json}) under test, as a user's
 * own CI would run it with {@code loopline-testkit}: a real broker, registry, runtime and gateway.
 * Once with the application itself answering, once with the test answering for a manager.
 */
@LooplineTest
class ExpenseApprovalIT {

    private static final Path DEFINITION = Path.of("..", "expense-approval.json");

    /** The approvals service the application asks: it approves, and records what it was asked. */
    private HttpServer approvals;

    private final List<String> idempotencyKeys = new CopyOnWriteArrayList<>();

    @BeforeEach
    void startApprovals() throws IOException {
        approvals = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        approvals.createContext("/approvals", exchange -> {
            idempotencyKeys.add(exchange.getRequestHeaders().getFirst("Idempotency-Key"));
            byte[] body = "{\"approved\":true,\"approver\":\"m.manager\"}".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        approvals.start();
    }

    @AfterEach
    void stopApprovals() {
        approvals.stop(0);
    }

    @Test
    void shouldApproveAReportThroughTheApplication(Loopline loopline) {
        // given: the workflow, and the application connected to the test deployment
        loopline.deploy(DEFINITION);
        URI service = URI.create("http://127.0.0.1:" + approvals.getAddress().getPort());
        ExpenseHandler application =
                new ExpenseHandler(loopline.kafkaProperties("expense-handler"), loopline.topics(), service);
        try {

            // when: the ERP submits a report
            WorkflowRun run = loopline.publish(loopline.event("erp", "expense_report", "ER-1001", "Submitted")
                            .attribute("amount", 1250.0))
                    .run("expense-approval");

            // then: approved, recorded on the report, completed
            run.awaitStatus(WorkflowRun.SUCCEEDED);
            assertThat(run.messages())
                    .extracting(Message::name)
                    .containsExactly("WorkflowStarted", "RequestApproval", "Update");
            assertThat(run.awaitMessage("Update").payload()).containsEntry("status", "Approved");
            assertThat(idempotencyKeys)
                    .contains(run.awaitMessage("RequestApproval").id());
        } finally {
            application.close();
        }
    }

    @Test
    void shouldRecordARejectionAManagerGives(Loopline loopline) {
        // given
        loopline.deploy(DEFINITION);

        // when: the test answers for the application, and the manager rejects
        WorkflowRun run = loopline.publish(loopline.event("erp", "expense_report", "ER-1002", "Submitted")
                        .attribute("amount", 99_000.0))
                .run("expense-approval");
        run.answer("WorkflowStarted", Ack.succeeded());
        Message request = run.answer("RequestApproval", Ack.succeeded(Map.of("approved", false)));
        assertThat(request.payload()).containsEntry("amount", 99_000.0).containsEntry("approverRole", "manager");

        // then: the report is marked rejected, and once that is done the workflow succeeds
        Message update = run.answer("Update", Ack.succeeded());
        assertThat(update.payload()).containsEntry("status", "Rejected");
        run.awaitStatus(WorkflowRun.SUCCEEDED);
    }
}
