package io.jasyncio.http.server;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Request IDs: the client's {@code X-Request-Id} when it is a plausible ID (1 to 128 characters
 * of letters, digits and {@code - _ . : + / =}, so it cannot inject anything into a log line or a
 * header), else a new one of 16 hexadecimal digits (64 random bits).
 */
final class RequestIds {
    static final String HEADER = "X-Request-Id";
    static final int MAX_LENGTH = 128;
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private RequestIds() {
    }

    /** {@code sent} if it is a valid ID, else a new one. */
    static String of(String sent) {
        return isValid(sent) ? sent : generate();
    }

    static boolean isValid(String id) {
        if (id == null || id.isEmpty() || id.length() > MAX_LENGTH) {
            return false;
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '_' || c == '.' || c == ':' || c == '+' || c == '/' || c == '=';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    static String generate() {
        long v = ThreadLocalRandom.current().nextLong();
        char[] c = new char[16];
        for (int i = 15; i >= 0; i--) {
            c[i] = HEX[(int) (v & 15)];
            v >>>= 4;
        }
        return new String(c);
    }
}
