package io.jasyncio.http.internal.h1;

import java.nio.charset.StandardCharsets;

/** Byte classes of RFC 9110 and the interning of common names. */
final class Ascii {
    static final byte CR = '\r';
    static final byte LF = '\n';
    static final byte SP = ' ';
    static final byte HT = '\t';

    /** tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." / "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA */
    static final boolean[] TCHAR = new boolean[256];
    /** The value of a hexadecimal digit, or -1. */
    static final byte[] HEX = new byte[256];

    static {
        for (int c = '0'; c <= '9'; c++) {
            TCHAR[c] = true;
        }
        for (int c = 'a'; c <= 'z'; c++) {
            TCHAR[c] = true;
            TCHAR[c - 32] = true;
        }
        for (char c : "!#$%&'*+-.^_`|~".toCharArray()) {
            TCHAR[c] = true;
        }
        java.util.Arrays.fill(HEX, (byte) -1);
        for (int c = 0; c < 10; c++) {
            HEX['0' + c] = (byte) c;
        }
        for (int c = 0; c < 6; c++) {
            HEX['a' + c] = (byte) (10 + c);
            HEX['A' + c] = (byte) (10 + c);
        }
    }

    /** Header names handed out without allocating when sent in exactly this case (or all lower case). */
    private static final String[] COMMON_NAMES = {
        "Host", "Connection", "Content-Length", "Content-Type", "Transfer-Encoding", "Accept",
        "Accept-Encoding", "Accept-Language", "Accept-Charset", "User-Agent", "Cookie", "Set-Cookie",
        "Upgrade", "Expect", "Date", "Server", "Cache-Control", "Authorization", "Referer", "Origin",
        "If-None-Match", "If-Modified-Since", "Keep-Alive", "Location", "ETag", "Last-Modified",
        "Content-Encoding", "Vary", "Pragma", "Range", "TE", "Trailer", "Via", "Forwarded",
        "X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host", "X-Request-Id", "DNT",
        "Proxy-Authorization", "Proxy-Connection", "Sec-WebSocket-Key", "Sec-WebSocket-Version",
        "Sec-WebSocket-Accept", "Sec-WebSocket-Protocol", "Sec-WebSocket-Extensions",
        "Sec-Fetch-Site", "Sec-Fetch-Mode", "Sec-Fetch-Dest", "Upgrade-Insecure-Requests",
        "Access-Control-Allow-Origin", "Access-Control-Request-Method", "Content-Disposition",
        "Content-Language", "Content-Range", "Accept-Ranges", "Age", "Expires", "Link", "Allow",
        "Retry-After", "Strict-Transport-Security", "WWW-Authenticate", "Priority",
    };
    /** By length: the common names, then their lower-case forms. */
    private static final String[][] NAMES_BY_LENGTH;
    private static final String[] COMMON_METHODS = {
        "GET", "POST", "PUT", "HEAD", "DELETE", "OPTIONS", "PATCH", "CONNECT", "TRACE",
    };

    static {
        int max = 0;
        for (String s : COMMON_NAMES) {
            max = Math.max(max, s.length());
        }
        java.util.List<java.util.List<String>> byLen = new java.util.ArrayList<>();
        for (int i = 0; i <= max; i++) {
            byLen.add(new java.util.ArrayList<>());
        }
        for (String s : COMMON_NAMES) {
            byLen.get(s.length()).add(s);
        }
        for (String s : COMMON_NAMES) {
            byLen.get(s.length()).add(s.toLowerCase(java.util.Locale.ROOT).intern());
        }
        NAMES_BY_LENGTH = new String[max + 1][];
        for (int i = 0; i <= max; i++) {
            NAMES_BY_LENGTH[i] = byLen.get(i).toArray(new String[0]);
        }
    }

    private Ascii() {
    }

    static boolean isWs(byte b) {
        return b == SP || b == HT;
    }

    /** The name in {@code b[from, to)}, shared when it is a common one. */
    static String name(byte[] b, int from, int to) {
        int n = to - from;
        if (n < NAMES_BY_LENGTH.length) {
            for (String s : NAMES_BY_LENGTH[n]) {
                if (sameBytes(s, b, from, n)) {
                    return s;
                }
            }
        }
        return new String(b, from, n, StandardCharsets.ISO_8859_1);
    }

    /** The method in {@code b[from, to)}, shared when it is a common one. */
    static String method(byte[] b, int from, int to) {
        int n = to - from;
        for (String s : COMMON_METHODS) {
            if (s.length() == n && sameBytes(s, b, from, n)) {
                return s;
            }
        }
        return new String(b, from, n, StandardCharsets.ISO_8859_1);
    }

    private static boolean sameBytes(String s, byte[] b, int from, int n) {
        for (int i = 0; i < n; i++) {
            if (s.charAt(i) != (b[from + i] & 0xff)) {
                return false;
            }
        }
        return true;
    }

    /** Whether {@code a} equals {@code lower}, ignoring ASCII case; {@code lower} is in lower case. */
    static boolean equalsLower(String a, String lower) {
        if (a == lower) {
            return true;
        }
        int n = a.length();
        if (n != lower.length()) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            char c = a.charAt(i);
            if (c >= 'A' && c <= 'Z') {
                c += 32;
            }
            if (c != lower.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}
