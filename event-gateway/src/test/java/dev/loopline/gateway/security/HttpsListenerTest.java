package dev.loopline.gateway.security;

import static dev.loopline.gateway.security.GatewayUnderTest.bearer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.loopline.api.security.ApiKeyStore;
import dev.loopline.api.security.Role;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway over HTTPS, with self-signed certificates that the JDK's keytool makes for the test:
 * from a PKCS12 file, and from a PEM pair that is then replaced by another certificate, which new
 * connections get without a restart.
 */
class HttpsListenerTest {

    private static final String PASSWORD = "test-password";

    @TempDir
    static Path dir;

    private static Path first;
    private static Path second;
    private static String key;
    private static Path keys;

    @BeforeAll
    static void certificates() throws Exception {
        first = keytool("first");
        second = keytool("second");
        key = ApiKeyStore.newKey();
        keys = GatewayUnderTest.keysFile(dir, List.of(ApiKeyStore.entry(key, "reader", Set.of(Role.READER))));
    }

    @Test
    void shouldServeHttpsFromAPkcs12File() throws Exception {
        Map<String, String> settings = new HashMap<>(Map.of(
                "LOOPLINE_API_KEYS_FILE", keys.toString(),
                "LOOPLINE_HTTP_TLS_KEYSTORE_FILE", first.toString(),
                "LOOPLINE_HTTP_TLS_KEYSTORE_PASSWORD", PASSWORD));

        try (GatewayUnderTest gateway = GatewayUnderTest.startHttps(settings, trusting(first, second))) {
            HttpResponse<String> response = gateway.get("/v1/instances", bearer(key));

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(serverName(response)).isEqualTo("CN=first");
            assertThat(gateway.get("/v1/instances", Map.of()).statusCode()).isEqualTo(401);
        }
    }

    @Test
    void shouldServeHttpsFromPemFilesAndPickUpANewCertificate() throws Exception {
        Path cert = dir.resolve("cert.pem");
        Path privateKey = dir.resolve("key.pem");
        writePem(first, cert, privateKey);
        Map<String, String> settings = new HashMap<>(Map.of(
                "LOOPLINE_API_KEYS_FILE", keys.toString(),
                "LOOPLINE_HTTP_TLS_CERT_FILE", cert.toString(),
                "LOOPLINE_HTTP_TLS_KEY_FILE", privateKey.toString(),
                "LOOPLINE_HTTP_TLS_RELOAD_SECONDS", "1"));

        try (GatewayUnderTest gateway = GatewayUnderTest.startHttps(settings, trusting(first, second))) {
            assertThat(serverName(gateway.get("/v1/instances", bearer(key)))).isEqualTo("CN=first");

            writePem(second, cert, privateKey);

            await().atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(250))
                    .untilAsserted(() ->
                            assertThat(serverName(freshConnection(gateway))).isEqualTo("CN=second"));
        }
    }

    @Test
    void shouldRefuseAPemKeyThatIsNotPkcs8() throws Exception {
        Path cert = dir.resolve("bad-cert.pem");
        Path privateKey = dir.resolve("bad-key.pem");
        writePem(first, cert, privateKey);
        Files.writeString(privateKey, "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n");

        assertThatThrownBy(() -> HttpsListener.pemKeyStore(cert, privateKey))
                .hasMessageContaining("openssl pkcs8 -topk8 -nocrypt");
    }

    /** A request on a new client, hence a new TLS handshake. */
    private static HttpResponse<String> freshConnection(GatewayUnderTest gateway) throws Exception {
        return gateway.withClient(trusting(first, second)).get("/v1/instances", bearer(key));
    }

    private static String serverName(HttpResponse<String> response) throws Exception {
        X509Certificate certificate =
                (X509Certificate) response.sslSession().orElseThrow().getPeerCertificates()[0];
        return certificate.getSubjectX500Principal().getName();
    }

    private static Path keytool(String name) throws Exception {
        Path store = dir.resolve(name + ".p12");
        Process process = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "keytool")
                                .toString(),
                        "-genkeypair",
                        "-alias",
                        "gateway",
                        "-keyalg",
                        "EC",
                        "-groupname",
                        "secp256r1",
                        "-dname",
                        "CN=" + name,
                        "-ext",
                        "SAN=ip:127.0.0.1,dns:localhost",
                        "-validity",
                        "2",
                        "-storetype",
                        "PKCS12",
                        "-keystore",
                        store.toString(),
                        "-storepass",
                        PASSWORD,
                        "-keypass",
                        PASSWORD)
                .redirectErrorStream(true)
                .start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
        return store;
    }

    private static KeyStore load(Path store) throws Exception {
        KeyStore keyStore = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            keyStore.load(in, PASSWORD.toCharArray());
        }
        return keyStore;
    }

    private static void writePem(Path store, Path cert, Path privateKey) throws Exception {
        KeyStore keyStore = load(store);
        X509Certificate certificate = (X509Certificate) keyStore.getCertificate("gateway");
        PrivateKey key = (PrivateKey) keyStore.getKey("gateway", PASSWORD.toCharArray());
        Base64.Encoder base64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII));
        Files.writeString(
                cert,
                "-----BEGIN CERTIFICATE-----\n" + base64.encodeToString(certificate.getEncoded())
                        + "\n-----END CERTIFICATE-----\n");
        Files.writeString(
                privateKey,
                "-----BEGIN PRIVATE KEY-----\n" + base64.encodeToString(key.getEncoded())
                        + "\n-----END PRIVATE KEY-----\n");
    }

    private static HttpClient trusting(Path... stores) {
        try {
            KeyStore trusted = KeyStore.getInstance("PKCS12");
            trusted.load(null, null);
            for (Path store : stores) {
                trusted.setCertificateEntry(
                        store.getFileName().toString(), load(store).getCertificate("gateway"));
            }
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(trusted);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return HttpClient.newBuilder().sslContext(context).build();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
