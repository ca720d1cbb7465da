package dev.loopline.gateway.webhook;

import dev.loopline.api.Topics;
import dev.loopline.gateway.GatewaySettings;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Webhook delivery, off unless bindings are set.
 *
 * The settings are {@code LOOPLINE_WEBHOOK*}, declared in {@link GatewaySettings}.
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
        for (String binding : GatewaySettings.WEBHOOKS.optional(env).orElse(List.of())) {
            String[] parts = binding.trim().split("=", 2);
            if (parts.length != 2 || parts[0].isBlank() || parts[1].isBlank()) {
                throw new IllegalArgumentException(
                        "LOOPLINE_WEBHOOKS: '" + binding + "' is not <message name>=<https URL>");
            }
            URI uri = URI.create(parts[1].trim());
            if (!"https".equals(uri.getScheme() == null ? null : uri.getScheme().toLowerCase(Locale.ROOT))) {
                throw new IllegalArgumentException(
                        "LOOPLINE_WEBHOOKS: " + parts[0].trim() + " goes to " + uri + ", which is not https");
            }
            if (bindings.put(parts[0].trim(), uri) != null) {
                throw new IllegalArgumentException("LOOPLINE_WEBHOOKS: " + parts[0].trim() + " is bound twice");
            }
        }
        String secret = GatewaySettings.WEBHOOK_SECRET.from(env);
        if (!bindings.isEmpty()) {
            new WebhookSigner(secret); // fails closed: no delivery without a good key
        }
        return new WebhookSettings(
                Map.copyOf(bindings),
                secret,
                GatewaySettings.WEBHOOK_TIMEOUT.from(env),
                GatewaySettings.WEBHOOK_GROUP.optional(env).orElse(topics.prefix() + "webhooks"),
                GatewaySettings.WEBHOOK_CONCURRENCY.from(env),
                GatewaySettings.WEBHOOK_TRUSTSTORE.optional(env),
                GatewaySettings.WEBHOOK_TRUSTSTORE_PASSWORD.optional(env).orElse(""),
                GatewaySettings.WEBHOOK_TRUSTSTORE_TYPE.from(env));
    }

    public boolean enabled() {
        return !bindings.isEmpty();
    }

    @Override
    public String toString() { // never the secret
        return "WebhookSettings[bindings=" + bindings + ", timeout=" + timeout + ", group=" + group + "]";
    }
}
