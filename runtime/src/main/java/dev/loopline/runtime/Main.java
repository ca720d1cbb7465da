package dev.loopline.runtime;

import dev.loopline.runtime.config.RuntimeConfig;

/**
 * Runs one runtime process until it is stopped (SIGTERM/Ctrl-C close it cleanly), or until one of
 * its two Kafka Streams applications fails for good: then it exits with status 1, so that its
 * supervisor starts it again rather than leaving half a runtime running.
 */
public final class Main {

    private Main() {}

    public static void main(String[] args) throws InterruptedException {
        LooplineRuntime runtime = LooplineRuntime.start(RuntimeConfig.fromEnvironment());
        Runtime.getRuntime().addShutdownHook(new Thread(runtime::close, "runtime-shutdown"));
        runtime.awaitFailure();
        System.exit(1); // the shutdown hook closes the other application
    }
}
