package dev.loopline.api.security;

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
