package dev.loopline.gateway;

import static dev.loopline.api.config.Setting.Reader.GATEWAY;

import dev.loopline.api.config.CommonSettings;
import dev.loopline.api.config.Setting;
import dev.loopline.gateway.kafka.EventPublisher;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The gateway's own settings, each declared once ({@link Setting}); with {@link
 * CommonSettings#ALL}, everything a gateway process reads. The classes that use them ({@code
 * HttpLimits}, {@code SecurityConfig}, {@code TlsConfig}, {@code QuerySettings}, {@code
 * WebhookSettings}) read them from here and check how they go together.
 */
public final class GatewaySettings {

    public static final Setting<String> HTTP_HOST = Setting.text("LOOPLINE_HTTP_HOST")
            .defaultsTo("0.0.0.0")
            .readBy(GATEWAY)
            .doc("the interface the HTTP API listens on");

    public static final Setting<Integer> HTTP_PORT = Setting.integer("LOOPLINE_HTTP_PORT")
            .defaultsTo("8080")
            .check(port -> port >= 0 && port <= 65535, "must be a port, or 0 for any free one")
            .readBy(GATEWAY)
            .doc("its port; `0` picks a free one");

    public static final Setting<String> HTTP_ADVERTISED_HOST = Setting.text("LOOPLINE_HTTP_ADVERTISED_HOST")
            .defaultShownAs("the HTTP host, or the machine's name for `0.0.0.0`")
            .readBy(GATEWAY)
            .doc("the name other gateway processes reach this one by, for queries");

    public static final Setting<Duration> HTTP_PUBLISH_TIMEOUT = Setting.duration("LOOPLINE_HTTP_PUBLISH_TIMEOUT")
            .defaultsTo(EventPublisher.DEFAULT_TIMEOUT.toString())
            .readBy(GATEWAY)
            .doc("how long `POST /v1/events` waits for Kafka, from the request's arrival, before it answers"
                    + " 503 with the event id (the write may still happen; the id makes a retry safe)");

    public static final Setting<List<String>> HTTP_CORS_ORIGINS = Setting.list("LOOPLINE_HTTP_CORS_ORIGINS")
            .defaultShownAs("none: CORS off")
            .readBy(GATEWAY)
            .doc("origins browser pages may call from, exactly as browsers send them"
                    + " (`https://console.example.com`); `*` is refused");

    public static final Setting<Duration> HTTP_BODY_DEADLINE = Setting.duration("LOOPLINE_HTTP_BODY_DEADLINE")
            .defaultsTo("PT10S")
            .readBy(GATEWAY)
            .doc("a request's body must arrive within this of its headers, else 408");

    public static final Setting<Integer> HTTP_MAX_IN_FLIGHT = Setting.integer("LOOPLINE_HTTP_MAX_IN_FLIGHT")
            .defaultsTo("64")
            .readBy(GATEWAY)
            .doc("requests handled at once; more wait for a turn");

    public static final Setting<Duration> HTTP_QUEUE_TIMEOUT = Setting.duration("LOOPLINE_HTTP_QUEUE_TIMEOUT")
            .defaultsTo("PT2S")
            .readBy(GATEWAY)
            .doc("how long a request waits for a turn, then 503 with `Retry-After`");

    public static final Setting<Integer> HTTP_RATE_LIMIT = Setting.integer("LOOPLINE_HTTP_RATE_LIMIT")
            .defaultsTo("1000")
            .readBy(GATEWAY)
            .doc("requests per second for each principal (bursts of up to a second's worth), then 429;"
                    + " `0` is off");

    public static final Setting<Path> HTTP_TLS_KEYSTORE_FILE = Setting.path("LOOPLINE_HTTP_TLS_KEYSTORE_FILE")
            .readBy(GATEWAY)
            .doc("HTTPS: a PKCS12 file with the key and its certificate chain");

    public static final Setting<String> HTTP_TLS_KEYSTORE_PASSWORD = Setting.secret(
                    "LOOPLINE_HTTP_TLS_KEYSTORE_PASSWORD")
            .defaultShownAs("empty")
            .readBy(GATEWAY)
            .doc("its password");

    public static final Setting<Path> HTTP_TLS_CERT_FILE = Setting.path("LOOPLINE_HTTP_TLS_CERT_FILE")
            .readBy(GATEWAY)
            .doc("HTTPS, instead of a key store: a PEM certificate chain, the server's first");

    public static final Setting<Path> HTTP_TLS_KEY_FILE = Setting.path("LOOPLINE_HTTP_TLS_KEY_FILE")
            .readBy(GATEWAY)
            .doc("with it: the PEM private key (`BEGIN PRIVATE KEY`)");

    public static final Setting<Integer> HTTP_TLS_RELOAD_SECONDS = Setting.integer("LOOPLINE_HTTP_TLS_RELOAD_SECONDS")
            .defaultsTo("60")
            .check(seconds -> seconds >= 0, "must be 0 or more")
            .readBy(GATEWAY)
            .doc("how often the files are checked for a new certificate, which then serves new connections"
                    + " without a restart; `0` is off");

    public static final Setting<String> JWT_JWKS_URL = Setting.text("LOOPLINE_JWT_JWKS_URL")
            .readBy(GATEWAY)
            .doc("the JWKS address of the OIDC provider whose bearer tokens are accepted");

    public static final Setting<Path> JWT_JWKS_FILE =
            Setting.path("LOOPLINE_JWT_JWKS_FILE").readBy(GATEWAY).doc("the same from a file, instead of the address");

    public static final Setting<String> JWT_ISSUER = Setting.text("LOOPLINE_JWT_ISSUER")
            .defaultShownAs("none; required with a JWKS")
            .readBy(GATEWAY)
            .doc("the exact `iss` a token must carry");

    public static final Setting<String> JWT_AUDIENCE = Setting.text("LOOPLINE_JWT_AUDIENCE")
            .defaultShownAs("none; required with a JWKS")
            .readBy(GATEWAY)
            .doc("an `aud` a token must carry");

    public static final Setting<String> JWT_ROLES_CLAIM = Setting.text("LOOPLINE_JWT_ROLES_CLAIM")
            .defaultsTo("roles")
            .readBy(GATEWAY)
            .doc("the claim with the role names (a list or a space-separated string); dots walk into"
                    + " objects, e.g. `realm_access.roles`");

    public static final Setting<String> JWT_PRINCIPAL_CLAIM = Setting.text("LOOPLINE_JWT_PRINCIPAL_CLAIM")
            .defaultsTo("sub")
            .readBy(GATEWAY)
            .doc("the claim that names the principal");

    public static final Setting<Path> QUERY_STATE_DIR = Setting.path("LOOPLINE_QUERY_STATE_DIR")
            .defaultShownAs("none: a new temporary directory per start")
            .readBy(GATEWAY)
            .doc("the query side's RocksDB stores; set it to a kept volume so that a restart reads them"
                    + " from disk");

    public static final Setting<String> QUERY_APPLICATION_ID = Setting.text("LOOPLINE_QUERY_APPLICATION_ID")
            .defaultShownAs("`<prefix>query`")
            .readBy(GATEWAY)
            .doc("the query side's Streams application id, shared by a deployment's gateways");

    public static final Setting<List<String>> WEBHOOKS = Setting.list("LOOPLINE_WEBHOOKS")
            .defaultShownAs("none: no delivery")
            .readBy(GATEWAY)
            .doc("`<message name>=<https URL>,…`: where each message is POSTed (see \"Webhooks\")");

    public static final Setting<String> WEBHOOK_SECRET = Setting.secret("LOOPLINE_WEBHOOK_SECRET")
            .defaultShownAs("required with bindings")
            .readBy(GATEWAY)
            .doc("`whsec_<base64 key>`, the HMAC-SHA256 key that signs deliveries");

    public static final Setting<Duration> WEBHOOK_TIMEOUT = Setting.duration("LOOPLINE_WEBHOOK_TIMEOUT")
            .defaultsTo("PT10S")
            .readBy(GATEWAY)
            .doc("how long a receiver may take to answer");

    public static final Setting<Integer> WEBHOOK_CONCURRENCY = Setting.integer("LOOPLINE_WEBHOOK_CONCURRENCY")
            .defaultsTo("16")
            .readBy(GATEWAY)
            .doc("deliveries at once per process (one instance's in order)");

    public static final Setting<String> WEBHOOK_GROUP = Setting.text("LOOPLINE_WEBHOOK_GROUP")
            .defaultShownAs("`<prefix>webhooks`")
            .readBy(GATEWAY)
            .doc("the delivery workers' consumer group");

    public static final Setting<Path> WEBHOOK_TRUSTSTORE = Setting.path("LOOPLINE_WEBHOOK_TRUSTSTORE")
            .defaultShownAs("the JDK's CAs")
            .readBy(GATEWAY)
            .doc("what a receiver's certificate must chain to");

    public static final Setting<String> WEBHOOK_TRUSTSTORE_PASSWORD = Setting.secret(
                    "LOOPLINE_WEBHOOK_TRUSTSTORE_PASSWORD")
            .defaultShownAs("empty")
            .readBy(GATEWAY)
            .doc("its password");

    public static final Setting<String> WEBHOOK_TRUSTSTORE_TYPE = Setting.text("LOOPLINE_WEBHOOK_TRUSTSTORE_TYPE")
            .defaultsTo("PKCS12")
            .readBy(GATEWAY)
            .doc("its type");

    /** The gateway's settings in the order the README lists them. */
    public static final List<Setting<?>> OWN = List.of(
            HTTP_HOST,
            HTTP_PORT,
            HTTP_ADVERTISED_HOST,
            HTTP_PUBLISH_TIMEOUT,
            HTTP_CORS_ORIGINS,
            HTTP_BODY_DEADLINE,
            HTTP_MAX_IN_FLIGHT,
            HTTP_QUEUE_TIMEOUT,
            HTTP_RATE_LIMIT,
            HTTP_TLS_KEYSTORE_FILE,
            HTTP_TLS_KEYSTORE_PASSWORD,
            HTTP_TLS_CERT_FILE,
            HTTP_TLS_KEY_FILE,
            HTTP_TLS_RELOAD_SECONDS,
            JWT_JWKS_URL,
            JWT_JWKS_FILE,
            JWT_ISSUER,
            JWT_AUDIENCE,
            JWT_ROLES_CLAIM,
            JWT_PRINCIPAL_CLAIM,
            QUERY_STATE_DIR,
            QUERY_APPLICATION_ID,
            WEBHOOKS,
            WEBHOOK_SECRET,
            WEBHOOK_TIMEOUT,
            WEBHOOK_CONCURRENCY,
            WEBHOOK_GROUP,
            WEBHOOK_TRUSTSTORE,
            WEBHOOK_TRUSTSTORE_PASSWORD,
            WEBHOOK_TRUSTSTORE_TYPE);

    /** Everything a gateway process reads: the common settings, then its own. */
    public static List<Setting<?>> all() {
        List<Setting<?>> all = new ArrayList<>(CommonSettings.ALL);
        all.addAll(OWN);
        return List.copyOf(all);
    }

    private GatewaySettings() {}
}
