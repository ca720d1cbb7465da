package dev.loopline.testsupport.infra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Self-signed certificates made at test time with the JDK's {@code keytool}: one PKCS12 keystore
 * per name (subject {@code CN=<name>}, valid for {@code localhost} and 127.0.0.1), and one
 * truststore holding every certificate. Each certificate is its own trust anchor, so whoever holds
 * the truststore trusts exactly these keys: the broker's (clients check the host name against it)
 * and the clients' (the broker checks them on its mutual-TLS listeners).
 */
public final class TestCertificates {

    private static final String STORE_TYPE = "PKCS12";

    private final Path dir;
    private final String password;

    private TestCertificates(Path dir, String password) {
        this.dir = dir;
        this.password = password;
    }

    /** Makes a keystore for each name and the shared truststore, in {@code dir}. */
    public static TestCertificates create(Path dir, Set<String> names) {
        TestCertificates certificates = new TestCertificates(dir, "changeit-" + Long.toHexString(System.nanoTime()));
        for (String name : new LinkedHashSet<>(names)) {
            certificates.generate(name);
        }
        return certificates;
    }

    private void generate(String name) {
        Path keystore = keystore(name);
        Path certificate = dir.resolve(name + ".crt");
        keytool(List.of(
                "-genkeypair",
                "-alias",
                name,
                "-keyalg",
                "EC",
                "-groupname",
                "secp256r1",
                "-sigalg",
                "SHA256withECDSA",
                "-dname",
                "CN=" + name,
                "-ext",
                "SAN=dns:localhost,ip:127.0.0.1",
                "-validity",
                "2",
                "-storetype",
                STORE_TYPE,
                "-keystore",
                keystore.toString(),
                "-storepass",
                password,
                "-keypass",
                password));
        keytool(List.of(
                "-exportcert",
                "-rfc",
                "-alias",
                name,
                "-keystore",
                keystore.toString(),
                "-storepass",
                password,
                "-file",
                certificate.toString()));
        keytool(List.of(
                "-importcert",
                "-noprompt",
                "-alias",
                name,
                "-file",
                certificate.toString(),
                "-storetype",
                STORE_TYPE,
                "-keystore",
                truststore().toString(),
                "-storepass",
                password));
    }

    private void keytool(List<String> arguments) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(arguments);
        try {
            Process process =
                    new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                process.destroyForcibly();
                throw new IllegalStateException("keytool " + arguments.get(0) + " failed: " + output);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run keytool", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running keytool", e);
        }
    }

    public Path keystore(String name) {
        return dir.resolve(name + ".p12");
    }

    public Path truststore() {
        return dir.resolve("truststore.p12");
    }

    /** The password of every store and key. */
    public String password() {
        return password;
    }

    public String storeType() {
        return STORE_TYPE;
    }
}
