package dev.loopline.api.store;

import java.time.Instant;

/**
 * Composite string keys of the runtime's and the query side's stores: parts joined by U+001F,
 * times as 16 hex digits so that byte order is time order.
 */
public final class StoreKeys {

    public static final char SEPARATOR = '\u001f';
    /** The character after the separator: the exclusive end of a prefix range. */
    public static final char AFTER_SEPARATOR = '\u0020';

    private StoreKeys() {}

    public static String join(String... parts) {
        return String.join(String.valueOf(SEPARATOR), parts);
    }

    /** 16 lower-case hex digits, so that keys sort by time (as {@code "%016x"}, without a Formatter per key). */
    public static String time(Instant instant) {
        return hex16(Math.max(0, instant.toEpochMilli()));
    }

    /** The instant a key that starts with {@link #time} holds. */
    public static Instant timeOf(String key) {
        return Instant.ofEpochMilli(Long.parseUnsignedLong(key.substring(0, 16), 16));
    }

    /** 16 hex digits counted down from the end of time, so that keys sort newest first. */
    public static String newestFirst(Instant instant) {
        return hex16(Long.MAX_VALUE - Math.max(0, instant.toEpochMilli()));
    }

    /** A non-negative number as {@code width} decimal digits, zero-padded, so that keys sort by it. */
    public static String digits(int value, int width) {
        String digits = Integer.toString(value);
        return "0".repeat(Math.max(0, width - digits.length())) + digits;
    }

    private static String hex16(long value) {
        String hex = Long.toHexString(value);
        return "0".repeat(16 - hex.length()) + hex;
    }

    public static String prefix(String... parts) {
        return join(parts) + SEPARATOR;
    }

    public static String prefixEnd(String... parts) {
        return join(parts) + AFTER_SEPARATOR;
    }
}
