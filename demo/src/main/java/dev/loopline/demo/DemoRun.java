package dev.loopline.demo;

import java.io.PrintStream;

/** Runs the demo's scenario once and stops everything: for tests and scripts. */
public final class DemoRun {

    private DemoRun() {}

    public record Outcome(
            String instanceId, int statusCode, long publishToCompletedMillis, long startToCompletedMillis) {}

    public static Outcome once(PrintStream out) throws Exception {
        try (LooplineDemo demo = new LooplineDemo(out)) {
            demo.start(0);
            LooplineDemo.Result result = demo.playExpenseScenario();
            return new Outcome(
                    result.instanceId(),
                    result.completed().getStatusCode(),
                    result.publishToCompletedMillis(),
                    result.startToCompletedMillis());
        }
    }
}
