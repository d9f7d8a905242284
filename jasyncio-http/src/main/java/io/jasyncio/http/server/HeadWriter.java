package io.jasyncio.http.server;

import io.jasyncio.EventLoop;
import io.jasyncio.http.Headers;
import io.jasyncio.http.internal.h1.H1Serializer;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Writes response heads into one reusable array (one per server; the loop runs one task at a
 * time): pre-encoded status lines and common fields, the {@code Date} field refreshed once a
 * second of the loop's clock, and the application's fields checked as they are copied.
 */
final class HeadWriter {
    static final byte[] CRLF = {'\r', '\n'};
    static final byte[] CONNECTION_CLOSE = ascii("Connection: close\r\n");
    static final byte[] CONNECTION_KEEP_ALIVE = ascii("Connection: keep-alive\r\n");
    static final byte[] CHUNKED = ascii("Transfer-Encoding: chunked\r\n");
    static final byte[] CONTENT_LENGTH = ascii("Content-Length: ");
    static final byte[] CONTINUE = ascii("HTTP/1.1 100 Continue\r\n\r\n");
    static final byte[] LAST_CHUNK = ascii("0\r\n\r\n");
    private static final byte[][] STATUS = new byte[1000][];
    private static final Map<String, byte[]> CONTENT_TYPES = new HashMap<>();

    static {
        for (String t : new String[] {Response.TEXT_PLAIN, Response.APPLICATION_JSON, "text/html; charset=utf-8",
                "application/octet-stream", "text/plain"}) {
            CONTENT_TYPES.put(t, ascii("Content-Type: " + t + "\r\n"));
        }
    }

    /** RFC 9110 section 5.6.7: two-digit day, GMT. */
    private static final DateTimeFormatter IMF_FIXDATE =
            DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", java.util.Locale.US);

    private final EventLoop loop;
    private byte[] buf = new byte[1024];
    private int len;
    private byte[] dateLine;
    private double nextDate = Double.NEGATIVE_INFINITY;

    HeadWriter(EventLoop loop) {
        this.loop = loop;
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    static byte[] statusLine(int status, String reason) {
        if (reason == null) {
            byte[] b = STATUS[status];
            if (b == null) {
                b = ascii("HTTP/1.1 " + status + " " + H1Serializer.reasonPhrase(status) + "\r\n");
                STATUS[status] = b;
            }
            return b;
        }
        checkValue(reason, "reason phrase");
        return ("HTTP/1.1 " + status + " " + reason + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
    }

    HeadWriter start(int status, String reason) {
        len = 0;
        put(statusLine(status, reason));
        put(date());
        return this;
    }

    private byte[] date() {
        double now = loop.time();
        if (now >= nextDate) {
            long ms = System.currentTimeMillis();
            dateLine = ascii("Date: " + IMF_FIXDATE.format(ZonedDateTime.now(ZoneOffset.UTC)) + "\r\n");
            nextDate = now + (1000 - ms % 1000) / 1000.0;
        }
        return dateLine;
    }

    HeadWriter contentType(String type) {
        if (type != null) {
            byte[] pre = CONTENT_TYPES.get(type);
            if (pre != null) {
                put(pre);
            } else {
                field("Content-Type", type);
            }
        }
        return this;
    }

    /** The application's fields, except the framing and connection fields the server writes itself. */
    HeadWriter fields(Headers h) {
        for (int i = 0, n = h.size(); i < n; i++) {
            String name = h.name(i);
            if (name.equalsIgnoreCase("Content-Length") || name.equalsIgnoreCase("Transfer-Encoding")
                    || name.equalsIgnoreCase("Connection")) {
                continue;
            }
            field(name, h.value(i));
        }
        return this;
    }

    HeadWriter field(String name, String value) {
        if (name.isEmpty() || !Forms.isToken(name)) {
            throw new IllegalArgumentException("a header name must be a token: " + name);
        }
        checkValue(value, name);
        room(name.length() + value.length() + 4);
        for (int i = 0; i < name.length(); i++) {
            buf[len++] = (byte) name.charAt(i);
        }
        buf[len++] = ':';
        buf[len++] = ' ';
        for (int i = 0; i < value.length(); i++) {
            buf[len++] = (byte) value.charAt(i);
        }
        buf[len++] = '\r';
        buf[len++] = '\n';
        return this;
    }

    private static void checkValue(String v, String what) {
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if ((c < 0x20 && c != '\t') || c == 0x7f || c > 0xff) {
                throw new IllegalArgumentException("a control or non-ISO-8859-1 character in " + what);
            }
        }
    }

    HeadWriter contentLength(long n) {
        put(CONTENT_LENGTH);
        room(20);
        String s = Long.toString(n);
        for (int i = 0; i < s.length(); i++) {
            buf[len++] = (byte) s.charAt(i);
        }
        put(CRLF);
        return this;
    }

    HeadWriter put(byte[] b) {
        room(b.length);
        System.arraycopy(b, 0, buf, len, b.length);
        len += b.length;
        return this;
    }

    /** The head (ended by the empty line) followed by {@code body[off, off+n)}, in a new array. */
    byte[] finish(byte[] body, int off, int n) {
        put(CRLF);
        byte[] out = Arrays.copyOf(buf, len + n);
        if (n > 0) {
            System.arraycopy(body, off, out, len, n);
        }
        return out;
    }

    private void room(int n) {
        if (len + n > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + n));
        }
    }

    /** A complete refusal: status, text body, {@code Connection: close}. */
    byte[] refusal(int status, String text) {
        byte[] body = (text + "\n").getBytes(StandardCharsets.UTF_8);
        start(status, null).contentType(Response.TEXT_PLAIN).contentLength(body.length).put(CONNECTION_CLOSE);
        return finish(body, 0, body.length);
    }
}
