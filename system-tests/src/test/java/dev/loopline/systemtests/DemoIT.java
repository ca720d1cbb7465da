package dev.loopline.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loopline.demo.DemoRun;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The README's first command, minus the Maven build: the demo starts its own broker and registry,
 * plays the expense-report scenario and stops. Keeps the demo from rotting.
 */
class DemoIT {

    @Test
    void shouldPlayTheExpenseScenarioToSucceeded() throws Exception {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();

        DemoRun.Outcome outcome = DemoRun.once(new PrintStream(printed, true, StandardCharsets.UTF_8));

        String story = printed.toString(StandardCharsets.UTF_8);
        assertThat(outcome.statusCode()).isEqualTo(30);
        assertThat(story)
                .contains("READY      0 Waiting for resources")
                .contains("handler   workflow started for expense_report ER-1001")
                .contains("handler   RequestApproval for expense_report ER-1001")
                .contains("COMPLETED 30 Succeeded");
        System.out.printf(
                "demo IT: first instance completed %d ms after publish%n", outcome.publishToCompletedMillis());
    }
}
