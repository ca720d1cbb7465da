package dev.loopline.runtime.config;

import dev.loopline.api.config.CommonSettings;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Where the runtime serves its management endpoints ({@code /metrics}, {@code /health/live},
 * {@code /health/ready}), and whom it lets in: the holders of a key in the API keys file, as at
 * the gateway. See {@link RuntimeSettings#MANAGEMENT_PORT}.
 *
 * @param port -1: none; 0: any free port
 */
public record ManagementSettings(String host, int port, Optional<Path> apiKeysFile, boolean authDisabled) {

    public static ManagementSettings from(Map<String, String> settings) {
        return new ManagementSettings(
                RuntimeSettings.MANAGEMENT_HOST.from(settings),
                RuntimeSettings.MANAGEMENT_PORT.from(settings),
                CommonSettings.API_KEYS_FILE.optional(settings),
                CommonSettings.AUTH_DISABLED.from(settings));
    }

    /** None: a runtime without an HTTP port (tests, benchmarks). */
    public static ManagementSettings none() {
        return new ManagementSettings("127.0.0.1", -1, Optional.empty(), false);
    }

    /** Whether the endpoints are served: a port, and a way to tell callers apart (or none needed). */
    public boolean enabled() {
        return port >= 0 && (apiKeysFile.isPresent() || authDisabled);
    }

    Map<String, String> toEnvironment() {
        Map<String, String> env = new HashMap<>();
        RuntimeSettings.MANAGEMENT_HOST.put(env, host);
        RuntimeSettings.MANAGEMENT_PORT.put(env, port);
        apiKeysFile.ifPresent(file -> CommonSettings.API_KEYS_FILE.put(env, file));
        CommonSettings.AUTH_DISABLED.put(env, authDisabled);
        return env;
    }
}
