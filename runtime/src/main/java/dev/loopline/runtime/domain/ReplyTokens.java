package dev.loopline.runtime.domain;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The unguessable values that messages carry and their acknowledgements must echo ({@code
 * replyToken}). Instance and message ids are derived from the event id, so without a token anyone
 * who can write to the acknowledgements topic could acknowledge a message before it was even
 * posted (a FAILED "workflow started" planted ahead of its event, say). A token is drawn when a
 * message is posted and kept with the instance's wait (or, for "workflow started", carried in the
 * start command), so it is known only to the runtime and to whoever read the message.
 *
 * <p>Drawn at random, not derived: there is then no secret to distribute to every runtime process.
 * A message posted again after a crash gets a new token, which is fine under exactly-once: the
 * aborted attempt's message was never visible.
 */
@FunctionalInterface
public interface ReplyTokens {

    /** A new token. */
    String next();

    /** 128 random bits from {@link SecureRandom}, base64url without padding (22 characters). */
    static ReplyTokens random() {
        SecureRandom random = new SecureRandom();
        Base64.Encoder encoder = Base64.getUrlEncoder().withoutPadding();
        return () -> {
            byte[] bits = new byte[16];
            random.nextBytes(bits);
            return encoder.encodeToString(bits);
        };
    }

    /**
     * Whether an acknowledgement's token answers a wait's. A wait stored without a token (before
     * tokens existed) accepts any. Compared in constant time, so that timing reveals nothing.
     */
    static boolean matches(String expected, String echoed) {
        if (expected == null) {
            return true;
        }
        return echoed != null
                && MessageDigest.isEqual(
                        expected.getBytes(StandardCharsets.UTF_8), echoed.getBytes(StandardCharsets.UTF_8));
    }
}
