package dev.loopline.runtime;

import dev.loopline.runtime.config.RuntimeConfig;
import java.util.concurrent.CountDownLatch;

/** Runs one runtime process until it is stopped (SIGTERM/Ctrl-C close it cleanly). */
public final class Main {

    private Main() {}

    public static void main(String[] args) throws InterruptedException {
        LooplineRuntime runtime = LooplineRuntime.start(RuntimeConfig.fromEnvironment());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            runtime.close();
                            stopped.countDown();
                        },
                        "runtime-shutdown"));
        stopped.await();
    }
}
