package dev.loopline.runtime;

import dev.loopline.api.config.Setting;
import dev.loopline.api.config.SettingsTable;
import dev.loopline.runtime.config.RuntimeConfig;
import dev.loopline.runtime.config.RuntimeSettings;
import java.util.List;

/**
 * Runs one runtime process until it is stopped (SIGTERM/Ctrl-C close it cleanly), or until one of
 * its two Kafka Streams applications fails for good: then it exits with status 1, so that its
 * supervisor starts it again rather than leaving half a runtime running. With {@code
 * --print-config} it prints the settings it would run with, secrets masked, and exits.
 */
public final class Main {

    private Main() {}

    public static void main(String[] args) throws InterruptedException {
        if (List.of(args).contains("--print-config")) {
            System.out.print(SettingsTable.effective(
                    RuntimeSettings.all(), Setting.Reader.RUNTIME, RuntimeConfig.environment()));
            return;
        }
        LooplineRuntime runtime = LooplineRuntime.start(RuntimeConfig.fromEnvironment());
        Runtime.getRuntime().addShutdownHook(new Thread(runtime::close, "runtime-shutdown"));
        runtime.awaitFailure();
        System.exit(1); // the shutdown hook closes the other application
    }
}
