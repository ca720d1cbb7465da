package dev.loopline.gateway.security;

import io.javalin.config.JavalinConfig;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.Scanner;
import org.eclipse.jetty.util.ssl.KeyStoreScanner;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves the gateway over HTTPS instead of HTTP: one Jetty connector with an
 * {@link SslContextFactory.Server}, added through Javalin's connector hook (Javalin then adds no
 * plain connector). A new certificate is picked up without a restart: Jetty's
 * {@link KeyStoreScanner} watches a PKCS12 file, and a {@link Scanner} watches the PEM pair; each
 * reloads the factory, so new connections get the new certificate and open ones keep theirs.
 */
public final class HttpsListener {

    private static final Logger log = LoggerFactory.getLogger(HttpsListener.class);
    /** Protects only the in-memory key store built from PEM files; it never leaves the process. */
    private static final String IN_MEMORY_PASSWORD = "loopline-in-memory";

    private HttpsListener() {}

    /** Replaces the plain listener on host:port with an HTTPS one. */
    public static void install(JavalinConfig config, TlsConfig tls, String host, int port) {
        SslContextFactory.Server ssl = new SslContextFactory.Server();
        if (tls.keyStoreFile() != null) {
            ssl.setKeyStorePath(tls.keyStoreFile().toAbsolutePath().toString());
            ssl.setKeyStoreType("PKCS12");
            ssl.setKeyStorePassword(tls.keyStorePassword());
        } else {
            ssl.setKeyStore(pemKeyStore(tls.certFile(), tls.keyFile()));
            ssl.setKeyStorePassword(IN_MEMORY_PASSWORD);
        }
        config.jetty.addConnector((server, httpConfig) -> {
            HttpConfiguration https = new HttpConfiguration(httpConfig);
            https.addCustomizer(new SecureRequestCustomizer());
            ServerConnector connector = new ServerConnector(
                    server,
                    new SslConnectionFactory(ssl, HttpVersion.HTTP_1_1.asString()),
                    new HttpConnectionFactory(https));
            connector.setHost(host);
            connector.setPort(port);
            if (tls.reloadSeconds() > 0) {
                server.addBean(reloader(ssl, tls));
            }
            return connector;
        });
        log.info(
                "HTTPS from {}, certificate checked for changes {}",
                tls.keyStoreFile() != null ? tls.keyStoreFile() : tls.certFile() + " and " + tls.keyFile(),
                tls.reloadSeconds() > 0 ? "every " + tls.reloadSeconds() + " s" : "never (restart to renew)");
    }

    private static Object reloader(SslContextFactory.Server ssl, TlsConfig tls) {
        if (tls.keyStoreFile() != null) {
            KeyStoreScanner scanner = new KeyStoreScanner(ssl);
            scanner.setScanInterval(tls.reloadSeconds());
            return scanner;
        }
        Scanner scanner = new Scanner();
        scanner.setScanInterval(tls.reloadSeconds());
        scanner.addFile(tls.certFile().toAbsolutePath());
        scanner.addFile(tls.keyFile().toAbsolutePath());
        scanner.setReportExistingFilesOnStartup(false);
        scanner.addListener(new Scanner.BulkListener() {
            @Override
            public void pathsChanged(Map<Path, Scanner.Notification> changes) {
                try {
                    ssl.reload(factory -> factory.setKeyStore(pemKeyStore(tls.certFile(), tls.keyFile())));
                    log.info("HTTPS certificate reloaded from {}", tls.certFile());
                } catch (Exception e) {
                    log.error("HTTPS certificate not reloaded, the previous one stays: {}", e.getMessage());
                }
            }
        });
        return scanner;
    }

    /** A PKCS12 key store in memory holding the PEM key and its chain. */
    static KeyStore pemKeyStore(Path certFile, Path keyFile) {
        try {
            List<? extends Certificate> chain;
            try (InputStream in = Files.newInputStream(certFile)) {
                chain = List.copyOf(CertificateFactory.getInstance("X.509").generateCertificates(in));
            }
            if (chain.isEmpty()) {
                throw new IllegalStateException(certFile + " holds no certificate");
            }
            PrivateKey key = privateKey(keyFile);
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("gateway", key, IN_MEMORY_PASSWORD.toCharArray(), chain.toArray(Certificate[]::new));
            return store;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot load the TLS certificate and key: " + e.getMessage(), e);
        }
    }

    private static PrivateKey privateKey(Path keyFile) throws IOException, GeneralSecurityException {
        String pem = Files.readString(keyFile, StandardCharsets.US_ASCII);
        if (!pem.contains("-----BEGIN PRIVATE KEY-----")) {
            throw new IllegalStateException(keyFile + " must be an unencrypted PKCS#8 key (BEGIN PRIVATE KEY); convert"
                    + " it with: openssl pkcs8 -topk8 -nocrypt -in key.pem -out key-pkcs8.pem");
        }
        String base64 = pem.substring(
                        pem.indexOf("-----BEGIN PRIVATE KEY-----") + 27, pem.indexOf("-----END PRIVATE KEY-----"))
                .replaceAll("\\s", "");
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(Base64.getDecoder().decode(base64));
        GeneralSecurityException last = null;
        for (String algorithm : List.of("RSA", "EC", "Ed25519")) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            } catch (GeneralSecurityException e) {
                last = e;
            }
        }
        throw last;
    }
}
