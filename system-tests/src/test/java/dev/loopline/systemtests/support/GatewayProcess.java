package dev.loopline.systemtests.support;

import dev.loopline.gateway.Main;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * A gateway as a separate JVM ({@code dev.loopline.gateway.Main}) on a port of its own, so that a
 * test can kill it outright and start it again on the same port and state directory.
 */
public final class GatewayProcess extends JvmProcess {

    private final int port;

    private GatewayProcess(Map<String, String> environment, int port, Path log) {
        super(Main.class, environment, log);
        this.port = port;
    }

    /** Starts the gateway with these settings, on {@code 127.0.0.1:port}. */
    public static GatewayProcess start(Map<String, String> settings, int port, Path log) {
        Map<String, String> environment = new HashMap<>(settings);
        environment.put("LOOPLINE_HTTP_HOST", "127.0.0.1");
        environment.put("LOOPLINE_HTTP_PORT", Integer.toString(port));
        return new GatewayProcess(environment, port, log);
    }

    public int port() {
        return port;
    }
}
