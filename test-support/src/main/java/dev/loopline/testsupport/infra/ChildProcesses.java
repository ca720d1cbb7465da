package dev.loopline.testsupport.infra;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** Stopping the child JVMs the tests start: SIGTERM, so that their shutdown hooks run, then SIGKILL. */
public final class ChildProcesses {

    private ChildProcesses() {}

    /** SIGTERM, and SIGKILL if the child has not ended within {@code grace}. */
    public static void stop(Process process, Duration grace) {
        if (process.isAlive()) {
            process.destroy();
            awaitOrKill(process, grace);
        }
    }

    /** Waits up to {@code grace} for a child already told to stop, then SIGKILLs it. */
    public static void awaitOrKill(Process process, Duration grace) {
        try {
            if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
