package dev.loopline.api.security;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;
import java.util.Optional;

/**
 * Where a caller of a Loopline process puts its credential: {@code X-Api-Key: <key>}, or {@code
 * Authorization: Bearer <API key or JWT>}. The gateway and the runtime's management endpoints read
 * it the same way.
 */
public final class Credentials {

    /** The header of an API key. */
    public static final String API_KEY_HEADER = "X-Api-Key";

    private Credentials() {}

    /**
     * The password of {@code Authorization: Basic <base64 of user:password>}, if the header is
     * that: how a browser sends a key it was asked for (the user name is not used).
     */
    public static Optional<String> basicPassword(String authorization) {
        if (authorization == null
                || authorization.length() <= 6
                || !authorization.substring(0, 6).toLowerCase(Locale.ROOT).equals("basic ")) {
            return Optional.empty();
        }
        String decoded;
        try {
            decoded = new String(
                    Base64.getDecoder().decode(authorization.substring(6).trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        int colon = decoded.indexOf(':');
        String password = colon < 0 ? "" : decoded.substring(colon + 1);
        return password.isEmpty() ? Optional.empty() : Optional.of(password);
    }

    /**
     * The credential a request presents, from its {@value #API_KEY_HEADER} header (first) or its
     * {@code Authorization: Bearer} header; either may be null.
     */
    public static Optional<String> presented(String apiKey, String authorization) {
        if (apiKey != null && !apiKey.isBlank()) {
            return Optional.of(apiKey.trim());
        }
        if (authorization != null
                && authorization.length() > 7
                && authorization.substring(0, 7).toLowerCase(Locale.ROOT).equals("bearer ")) {
            String token = authorization.substring(7).trim();
            return token.isEmpty() ? Optional.empty() : Optional.of(token);
        }
        return Optional.empty();
    }
}
