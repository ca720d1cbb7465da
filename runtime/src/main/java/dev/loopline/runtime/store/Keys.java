package dev.loopline.runtime.store;

import java.time.Instant;

/** Composite string keys: parts joined by U+001F, times as 16 hex digits so that byte order is time order. */
final class Keys {

    static final char SEPARATOR = '\u001f';
    /** The character after the separator: the exclusive end of a prefix range. */
    static final char AFTER_SEPARATOR = '\u0020';

    private Keys() {}

    static String join(String... parts) {
        return String.join(String.valueOf(SEPARATOR), parts);
    }

    /** 16 lower-case hex digits, so that keys sort by time (as {@code "%016x"}, without a Formatter per key). */
    static String time(Instant instant) {
        String hex = Long.toHexString(Math.max(0, instant.toEpochMilli()));
        return "0".repeat(16 - hex.length()) + hex;
    }

    static String prefix(String... parts) {
        return join(parts) + SEPARATOR;
    }

    static String prefixEnd(String... parts) {
        return join(parts) + AFTER_SEPARATOR;
    }
}
