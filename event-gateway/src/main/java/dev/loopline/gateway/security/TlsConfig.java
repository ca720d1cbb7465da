package dev.loopline.gateway.security;

import java.nio.file.Path;
import java.util.Map;

/**
 * HTTPS for the gateway's listener, from environment variables: either a PKCS12 key store, or a
 * PEM certificate chain and a PEM (PKCS#8, unencrypted) private key. With neither, the listener
 * speaks plain HTTP (put a TLS-terminating proxy in front of it then).
 *
 * <table>
 *   <tr><th>variable</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>LOOPLINE_HTTP_TLS_KEYSTORE_FILE</td><td>none</td><td>PKCS12 file with the key and its certificate chain</td></tr>
 *   <tr><td>LOOPLINE_HTTP_TLS_KEYSTORE_PASSWORD</td><td>empty</td><td>its password</td></tr>
 *   <tr><td>LOOPLINE_HTTP_TLS_CERT_FILE</td><td>none</td><td>PEM certificate chain, the server's first</td></tr>
 *   <tr><td>LOOPLINE_HTTP_TLS_KEY_FILE</td><td>none</td><td>PEM private key ({@code BEGIN PRIVATE KEY})</td></tr>
 *   <tr><td>LOOPLINE_HTTP_TLS_RELOAD_SECONDS</td><td>60</td><td>how often the files are checked for a
 *       new certificate, which then serves new connections without a restart; 0 turns it off</td></tr>
 * </table>
 */
public record TlsConfig(Path keyStoreFile, String keyStorePassword, Path certFile, Path keyFile, int reloadSeconds) {

    public static TlsConfig from(Map<String, String> env) {
        TlsConfig config = new TlsConfig(
                path(env, "LOOPLINE_HTTP_TLS_KEYSTORE_FILE"),
                env.getOrDefault("LOOPLINE_HTTP_TLS_KEYSTORE_PASSWORD", ""),
                path(env, "LOOPLINE_HTTP_TLS_CERT_FILE"),
                path(env, "LOOPLINE_HTTP_TLS_KEY_FILE"),
                Integer.parseInt(env.getOrDefault("LOOPLINE_HTTP_TLS_RELOAD_SECONDS", "60")));
        if (config.keyStoreFile() != null && (config.certFile() != null || config.keyFile() != null)) {
            throw new IllegalArgumentException(
                    "set LOOPLINE_HTTP_TLS_KEYSTORE_FILE or LOOPLINE_HTTP_TLS_CERT_FILE and _KEY_FILE, not both");
        }
        if ((config.certFile() == null) != (config.keyFile() == null)) {
            throw new IllegalArgumentException(
                    "LOOPLINE_HTTP_TLS_CERT_FILE and LOOPLINE_HTTP_TLS_KEY_FILE go together");
        }
        if (config.reloadSeconds() < 0) {
            throw new IllegalArgumentException("LOOPLINE_HTTP_TLS_RELOAD_SECONDS must be 0 or more");
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

    private static Path path(Map<String, String> env, String name) {
        String value = env.get(name);
        return value == null || value.isBlank() ? null : Path.of(value.trim());
    }
}
