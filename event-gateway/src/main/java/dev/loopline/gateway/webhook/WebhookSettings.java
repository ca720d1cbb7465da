package dev.loopline.gateway.webhook;

import dev.loopline.api.Topics;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Webhook delivery, off unless bindings are set.
 *
 * <table>
 *   <tr><th>setting</th><th>default</th><th></th></tr>
 *   <tr><td>LOOPLINE_WEBHOOKS</td><td>none</td><td>{@code <message name>=<https URL>,…}: where each message is POSTed</td></tr>
 *   <tr><td>LOOPLINE_WEBHOOK_SECRET</td><td>required with bindings</td><td>{@code whsec_<base64 key>}, the HMAC key (see {@link WebhookSigner})</td></tr>
 *   <tr><td>LOOPLINE_WEBHOOK_TIMEOUT</td><td>PT10S</td><td>how long a receiver may take to answer</td></tr>
 *   <tr><td>LOOPLINE_WEBHOOK_GROUP</td><td>{@code <prefix>webhooks}</td><td>the delivery workers' consumer group</td></tr>
 *   <tr><td>LOOPLINE_WEBHOOK_CONCURRENCY</td><td>16</td><td>deliveries at once per process (one instance's in order)</td></tr>
 *   <tr><td>LOOPLINE_WEBHOOK_TRUSTSTORE, _PASSWORD, _TYPE</td><td>the JDK's</td><td>the CAs a receiver's certificate must chain to</td></tr>
 * </table>
 *
 * Only {@code https} URLs are accepted: a request carries the message, and a signed request over
 * plain HTTP can be read by anyone on the way.
 */
public record WebhookSettings(
        Map<String, URI> bindings,
        String secret,
        Duration timeout,
        String group,
        int concurrency,
        Optional<Path> truststore,
        String truststorePassword,
        String truststoreType) {

    public static WebhookSettings from(Map<String, String> env, Topics topics) {
        Map<String, URI> bindings = new LinkedHashMap<>();
        String listed = env.getOrDefault("LOOPLINE_WEBHOOKS", "").trim();
        if (!listed.isEmpty()) {
            for (String binding : listed.split(",")) {
                String[] parts = binding.trim().split("=", 2);
                if (parts.length != 2 || parts[0].isBlank() || parts[1].isBlank()) {
                    throw new IllegalArgumentException(
                            "LOOPLINE_WEBHOOKS: '" + binding + "' is not <message name>=<https URL>");
                }
                URI uri = URI.create(parts[1].trim());
                if (!"https"
                        .equals(uri.getScheme() == null ? null : uri.getScheme().toLowerCase(Locale.ROOT))) {
                    throw new IllegalArgumentException(
                            "LOOPLINE_WEBHOOKS: " + parts[0].trim() + " goes to " + uri + ", which is not https");
                }
                if (bindings.put(parts[0].trim(), uri) != null) {
                    throw new IllegalArgumentException("LOOPLINE_WEBHOOKS: " + parts[0].trim() + " is bound twice");
                }
            }
        }
        String secret = env.get("LOOPLINE_WEBHOOK_SECRET");
        if (!bindings.isEmpty()) {
            new WebhookSigner(secret); // fails closed: no delivery without a good key
        }
        return new WebhookSettings(
                Map.copyOf(bindings),
                secret,
                Duration.parse(env.getOrDefault("LOOPLINE_WEBHOOK_TIMEOUT", "PT10S")),
                env.getOrDefault("LOOPLINE_WEBHOOK_GROUP", topics.prefix() + "webhooks"),
                Integer.parseInt(env.getOrDefault("LOOPLINE_WEBHOOK_CONCURRENCY", "16")),
                Optional.ofNullable(env.get("LOOPLINE_WEBHOOK_TRUSTSTORE")).map(Path::of),
                env.getOrDefault("LOOPLINE_WEBHOOK_TRUSTSTORE_PASSWORD", ""),
                env.getOrDefault("LOOPLINE_WEBHOOK_TRUSTSTORE_TYPE", "PKCS12"));
    }

    public boolean enabled() {
        return !bindings.isEmpty();
    }

    @Override
    public String toString() { // never the secret
        return "WebhookSettings[bindings=" + bindings + ", timeout=" + timeout + ", group=" + group + "]";
    }
}
