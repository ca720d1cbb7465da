package dev.loopline.gateway.security;

import dev.loopline.gateway.GatewaySettings;
import java.nio.file.Path;
import java.util.Map;

/**
 * HTTPS for the gateway's listener, from environment variables: either a PKCS12 key store, or a
 * PEM certificate chain and a PEM (PKCS#8, unencrypted) private key. With neither, the listener
 * speaks plain HTTP (put a TLS-terminating proxy in front of it then).
 *
 * The settings are {@code LOOPLINE_HTTP_TLS_*}, declared in {@link GatewaySettings}.
 */
public record TlsConfig(Path keyStoreFile, String keyStorePassword, Path certFile, Path keyFile, int reloadSeconds) {

    public static TlsConfig from(Map<String, String> env) {
        TlsConfig config = new TlsConfig(
                GatewaySettings.HTTP_TLS_KEYSTORE_FILE.from(env),
                GatewaySettings.HTTP_TLS_KEYSTORE_PASSWORD.optional(env).orElse(""),
                GatewaySettings.HTTP_TLS_CERT_FILE.from(env),
                GatewaySettings.HTTP_TLS_KEY_FILE.from(env),
                GatewaySettings.HTTP_TLS_RELOAD_SECONDS.from(env));
        if (config.keyStoreFile() != null && (config.certFile() != null || config.keyFile() != null)) {
            throw new IllegalArgumentException(
                    "set LOOPLINE_HTTP_TLS_KEYSTORE_FILE or LOOPLINE_HTTP_TLS_CERT_FILE and _KEY_FILE, not both");
        }
        if ((config.certFile() == null) != (config.keyFile() == null)) {
            throw new IllegalArgumentException(
                    "LOOPLINE_HTTP_TLS_CERT_FILE and LOOPLINE_HTTP_TLS_KEY_FILE go together");
        }
        return config;
    }

    /** No TLS: plain HTTP. */
    public static TlsConfig none() {
        return new TlsConfig(null, "", null, null, 0);
    }

    public boolean enabled() {
        return keyStoreFile != null || certFile != null;
    }
}
