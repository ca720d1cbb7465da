package dev.loopline.systemtests.support;

import dev.loopline.runtime.Main;
import dev.loopline.runtime.config.RuntimeConfig;
import java.nio.file.Path;

/** The runtime as a separate JVM ({@code dev.loopline.runtime.Main}), so that a test can kill it outright. */
public final class RuntimeProcess extends JvmProcess {

    private RuntimeProcess(RuntimeConfig config, Path log) {
        super(Main.class, config.toEnvironment(), log);
    }

    public static RuntimeProcess start(RuntimeConfig config, Path log) {
        return new RuntimeProcess(config, log);
    }
}
