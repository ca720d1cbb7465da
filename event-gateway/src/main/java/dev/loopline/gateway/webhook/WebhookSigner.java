package dev.loopline.gateway.webhook;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs webhook requests as the Standard Webhooks specification does, so that receivers can
 * verify them with its libraries (npm {@code standardwebhooks}, and others for most languages) or
 * by hand:
 *
 * <pre>
 * webhook-id:        the message id (also the Idempotency-Key)
 * webhook-timestamp: seconds since the epoch
 * webhook-signature: v1,base64(HMAC-SHA256(key, id + "." + timestamp + "." + body))
 * </pre>
 *
 * The secret is {@code whsec_} followed by the key in base64. A receiver refuses a request whose
 * signature differs (compared in constant time) or whose timestamp is more than a few minutes off.
 * The JDK's {@link Mac} does the HMAC.
 */
public final class WebhookSigner {

    /** The prefix of a secret in the Standard Webhooks format. */
    public static final String SECRET_PREFIX = "whsec_";

    private final SecretKeySpec key;

    /** @throws IllegalArgumentException if the secret is not {@code whsec_<base64>} of at least 24 bytes */
    public WebhookSigner(String secret) {
        if (secret == null || !secret.startsWith(SECRET_PREFIX)) {
            throw new IllegalArgumentException("a webhook secret is " + SECRET_PREFIX + "<key in base64>");
        }
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(secret.substring(SECRET_PREFIX.length()));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("a webhook secret is " + SECRET_PREFIX + "<key in base64>", e);
        }
        if (bytes.length < 24) {
            throw new IllegalArgumentException("a webhook secret's key has at least 24 bytes, not " + bytes.length);
        }
        this.key = new SecretKeySpec(bytes, "HmacSHA256");
    }

    /** The {@code webhook-signature} header's value for this id, timestamp (epoch seconds) and body. */
    public String signature(String id, long timestamp, String body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            byte[] digest = mac.doFinal((id + "." + timestamp + "." + body).getBytes(StandardCharsets.UTF_8));
            return "v1," + Base64.getEncoder().encodeToString(digest);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }
}
