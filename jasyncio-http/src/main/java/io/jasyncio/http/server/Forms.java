package io.jasyncio.http.server;

import io.jasyncio.http.Headers;
import java.io.ByteArrayOutputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Percent-decoding, query strings, url-encoded and multipart forms, cookies: pure functions. */
final class Forms {
    private Forms() {
    }

    static boolean isToken(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c > 0x7e || c <= 0x20 || "\"(),/:;<=>?@[\\]{}".indexOf(c) >= 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * Percent-decodes {@code s} (UTF-8); with {@code plusIsSpace} a {@code +} is a space.
     *
     * @throws IllegalArgumentException on a malformed escape or bytes that are not UTF-8
     */
    static String percentDecode(String s, boolean plusIsSpace) {
        int i = 0;
        int n = s.length();
        while (i < n) {
            char c = s.charAt(i);
            if (c == '%' || (plusIsSpace && c == '+')) {
                break;
            }
            i++;
        }
        if (i == n) {
            return s;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(n);
        for (int j = 0; j < i; j++) {
            out.write(s.charAt(j));
        }
        for (; i < n; i++) {
            char c = s.charAt(i);
            if (c == '%') {
                if (i + 2 >= n) {
                    throw new IllegalArgumentException("truncated percent escape");
                }
                int hi = Character.digit(s.charAt(i + 1), 16);
                int lo = Character.digit(s.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    throw new IllegalArgumentException("bad percent escape");
                }
                out.write(hi << 4 | lo);
                i += 2;
            } else if (plusIsSpace && c == '+') {
                out.write(' ');
            } else if (c < 0x80) {
                out.write(c);
            } else {
                byte[] b = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                out.write(b, 0, b.length);
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(out.toByteArray())).toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("percent-encoded bytes are not UTF-8");
        }
    }

    /** Percent-encodes a path segment value (unreserved characters kept). */
    static String encodeSegment(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (byte x : s.getBytes(StandardCharsets.UTF_8)) {
            int c = x & 0xff;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "-._~".indexOf(c) >= 0) {
                b.append((char) c);
            } else {
                b.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 15, 16)));
            }
        }
        return b.toString();
    }

    /** Parses {@code a=1&b=2&a=3} ({@code +} is a space); a name without {@code =} has the value "". */
    static MultiMap<String> parseQuery(String q) {
        if (q == null || q.isEmpty()) {
            return MultiMap.empty();
        }
        List<String> names = new ArrayList<>();
        List<String> values = new ArrayList<>();
        int i = 0;
        while (i <= q.length()) {
            int amp = q.indexOf('&', i);
            if (amp < 0) {
                amp = q.length();
            }
            if (amp > i) {
                String pair = q.substring(i, amp);
                int eq = pair.indexOf('=');
                names.add(percentDecode(eq < 0 ? pair : pair.substring(0, eq), true));
                values.add(eq < 0 ? "" : percentDecode(pair.substring(eq + 1), true));
            }
            i = amp + 1;
        }
        return MultiMap.of(names, values);
    }

    /** The {@code Cookie} header's pairs (RFC 6265 section 5.4); the first of a name wins. */
    static Map<String, String> parseCookies(Headers headers) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String h : headers.getAll("Cookie")) {
            for (String pair : h.split(";")) {
                int eq = pair.indexOf('=');
                if (eq <= 0) {
                    continue;
                }
                String name = pair.substring(0, eq).strip();
                String value = pair.substring(eq + 1).strip();
                if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
                    value = value.substring(1, value.length() - 1);
                }
                m.putIfAbsent(name, value);
            }
        }
        return m;
    }

    /** A parameter of a header value such as {@code multipart/form-data; boundary=x}, or null. */
    static String param(String headerValue, String name) {
        if (headerValue == null) {
            return null;
        }
        for (String part : headerValue.split(";")) {
            int eq = part.indexOf('=');
            if (eq > 0 && part.substring(0, eq).strip().equalsIgnoreCase(name)) {
                String v = part.substring(eq + 1).strip();
                if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
                    v = v.substring(1, v.length() - 1);
                }
                return v;
            }
        }
        return null;
    }

    /** The media type of a {@code Content-Type} value, lower-cased, without parameters ("" if none). */
    static String mediaType(String contentType) {
        if (contentType == null) {
            return "";
        }
        int semi = contentType.indexOf(';');
        return (semi < 0 ? contentType : contentType.substring(0, semi)).strip().toLowerCase(java.util.Locale.ROOT);
    }

    /**
     * Parses a {@code multipart/form-data} body (RFC 7578): text fields as strings, parts with a
     * {@code filename} as {@link FileField}s.
     *
     * @throws IllegalArgumentException if the body is not well-formed multipart
     */
    static MultiMap<Object> parseMultipart(byte[] body, String boundary) {
        if (boundary == null || boundary.isEmpty() || boundary.length() > 70) {
            throw new IllegalArgumentException("multipart without a valid boundary");
        }
        byte[] delim = ("--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
        byte[] crlfDelim = ("\r\n--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
        List<String> names = new ArrayList<>();
        List<Object> values = new ArrayList<>();
        int pos = indexOf(body, delim, 0);
        if (pos < 0) {
            throw new IllegalArgumentException("multipart boundary not found");
        }
        pos += delim.length;
        for (;;) {
            if (pos + 2 <= body.length && body[pos] == '-' && body[pos + 1] == '-') {
                break; // the close delimiter
            }
            if (pos + 2 > body.length || body[pos] != '\r' || body[pos + 1] != '\n') {
                throw new IllegalArgumentException("malformed multipart delimiter line");
            }
            pos += 2;
            int headEnd = indexOf(body, "\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1), pos);
            if (headEnd < 0) {
                throw new IllegalArgumentException("multipart part without a header end");
            }
            Headers ph = new Headers(4);
            if (headEnd > pos) {
                for (String line : new String(body, pos, headEnd - pos, StandardCharsets.UTF_8).split("\r\n")) {
                    int colon = line.indexOf(':');
                    if (colon <= 0) {
                        throw new IllegalArgumentException("malformed multipart part header");
                    }
                    ph.add(line.substring(0, colon).strip(), line.substring(colon + 1).strip());
                }
            }
            int dataStart = headEnd + 4;
            int dataEnd = indexOf(body, crlfDelim, dataStart);
            if (dataEnd < 0) {
                throw new IllegalArgumentException("multipart part not terminated");
            }
            String disposition = ph.get("Content-Disposition");
            String name = param(disposition, "name");
            if (name == null) {
                throw new IllegalArgumentException("multipart part without a name");
            }
            String filename = param(disposition, "filename");
            byte[] data = java.util.Arrays.copyOfRange(body, dataStart, dataEnd);
            names.add(name);
            if (filename != null) {
                String ct = ph.get("Content-Type");
                values.add(new FileField(name, filename, ct == null ? "application/octet-stream" : ct, data));
            } else {
                String cs = param(ph.get("Content-Type"), "charset");
                values.add(new String(data, cs == null ? StandardCharsets.UTF_8 : java.nio.charset.Charset.forName(cs)));
            }
            pos = dataEnd + crlfDelim.length;
        }
        return MultiMap.of(names, values);
    }

    private static int indexOf(byte[] hay, byte[] needle, int from) {
        outer:
        for (int i = from; i <= hay.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
