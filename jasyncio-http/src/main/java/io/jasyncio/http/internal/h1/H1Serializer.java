package io.jasyncio.http.internal.h1;

import io.jasyncio.http.Headers;
import io.jasyncio.http.HttpVersion;
import io.jasyncio.http.RequestHead;
import io.jasyncio.http.ResponseHead;
import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Writes HTTP/1.1 messages into {@link ByteBuffer}s: request and response heads (the framing
 * header chosen from the body's kind), chunks, the last chunk and trailers.
 *
 * <p>Heads are written in one pass from the head's strings straight into the buffer, without
 * building intermediate strings; a response's status line for a standard code and phrase is
 * copied from a pre-encoded table. Every name, value, target and reason is checked while it is
 * written: a name must be a token; a value, target or reason must be ISO-8859-1 without CR, LF or
 * other control characters (HTAB allowed in values), so an edited header can never split a message.
 * On a bad component the method throws {@link IllegalArgumentException} and leaves the buffer's
 * position where it was; without room it throws {@link BufferOverflowException}, likewise
 * (size the buffer with the {@code …Length} methods).
 *
 * <p>The body kind is a {@code long}: a length {@code >= 0} writes {@code Content-Length};
 * {@link #CHUNKED} writes {@code Transfer-Encoding: chunked}; {@link #NO_BODY} writes no framing
 * header (a request without content, a 1xx, 204 or 304 response, an answer to {@code HEAD}: the
 * given headers may then carry a {@code Content-Length} describing the representation);
 * {@link #UNTIL_CLOSE} (responses) writes none and the content ends when the connection closes.
 * With a length or {@code CHUNKED}, the given headers must not hold {@code Content-Length} or
 * {@code Transfer-Encoding} themselves: the framing is decided once, here.
 */
public final class H1Serializer {
    /** No content and no framing header. */
    public static final long NO_BODY = -1;
    /** Chunked content: {@code Transfer-Encoding: chunked}, then {@link #writeChunkHeader} / {@link #writeLastChunk}. */
    public static final long CHUNKED = -2;
    /** Response content that runs until the connection closes: no framing header. */
    public static final long UNTIL_CLOSE = -3;

    private static final byte[] CRLF = {'\r', '\n'};
    private static final byte[] CONTENT_LENGTH = "Content-Length: ".getBytes(StandardCharsets.ISO_8859_1);
    private static final byte[] TE_CHUNKED = "Transfer-Encoding: chunked\r\n".getBytes(StandardCharsets.ISO_8859_1);
    private static final byte[] LAST_CHUNK = {'0', '\r', '\n'};
    private static final byte[] HEX_DIGITS = "0123456789abcdef".getBytes(StandardCharsets.ISO_8859_1);
    private static final String[] REASONS = new String[600];
    /** "HTTP/1.x NNN Reason\r\n" for the standard codes, by version then code. */
    private static final byte[][][] STATUS_LINES = new byte[2][600][];

    static {
        String[] std = {
            "100", "Continue", "101", "Switching Protocols", "102", "Processing", "103", "Early Hints",
            "200", "OK", "201", "Created", "202", "Accepted", "203", "Non-Authoritative Information",
            "204", "No Content", "205", "Reset Content", "206", "Partial Content", "207", "Multi-Status",
            "300", "Multiple Choices", "301", "Moved Permanently", "302", "Found", "303", "See Other",
            "304", "Not Modified", "307", "Temporary Redirect", "308", "Permanent Redirect",
            "400", "Bad Request", "401", "Unauthorized", "402", "Payment Required", "403", "Forbidden",
            "404", "Not Found", "405", "Method Not Allowed", "406", "Not Acceptable",
            "407", "Proxy Authentication Required", "408", "Request Timeout", "409", "Conflict",
            "410", "Gone", "411", "Length Required", "412", "Precondition Failed",
            "413", "Content Too Large", "414", "URI Too Long", "415", "Unsupported Media Type",
            "416", "Range Not Satisfiable", "417", "Expectation Failed", "421", "Misdirected Request",
            "422", "Unprocessable Content", "425", "Too Early", "426", "Upgrade Required",
            "428", "Precondition Required", "429", "Too Many Requests",
            "431", "Request Header Fields Too Large", "451", "Unavailable For Legal Reasons",
            "500", "Internal Server Error", "501", "Not Implemented", "502", "Bad Gateway",
            "503", "Service Unavailable", "504", "Gateway Timeout", "505", "HTTP Version Not Supported",
            "511", "Network Authentication Required",
        };
        for (int i = 0; i < std.length; i += 2) {
            int code = Integer.parseInt(std[i]);
            REASONS[code] = std[i + 1];
            for (HttpVersion v : HttpVersion.values()) {
                STATUS_LINES[v.ordinal()][code] = (v.text() + " " + code + " " + std[i + 1] + "\r\n")
                        .getBytes(StandardCharsets.ISO_8859_1);
            }
        }
    }

    private H1Serializer() {
    }

    /** The standard reason phrase of {@code status} (RFC 9110 section 15), or {@code ""} if it has none here. */
    public static String reasonPhrase(int status) {
        String r = status >= 0 && status < REASONS.length ? REASONS[status] : null;
        return r == null ? "" : r;
    }

    // ---- heads

    /** The exact number of bytes {@link #writeRequestHead} writes. */
    public static int requestHeadLength(RequestHead head, long body) {
        return head.method().length() + 1 + head.target().length() + 1 + 8 + 2
                + headersLength(head.headers()) + framingLength(body) + 2;
    }

    /** Writes {@code method SP target SP version CRLF}, the headers as given, the framing header for {@code body}, and the empty line. */
    public static void writeRequestHead(ByteBuffer out, RequestHead head, long body) {
        if (body == UNTIL_CLOSE) {
            throw new IllegalArgumentException("a request's content cannot run until the close");
        }
        int start = out.position();
        try {
            checkRoom(out, requestHeadLength(head, body));
            checkFraming(head.headers(), body);
            put(out, head.method(), TOKEN, "method");
            out.put((byte) ' ');
            put(out, head.target(), TARGET, "request-target");
            out.put((byte) ' ');
            putAscii(out, head.version().text());
            out.put(CRLF);
            writeFields(out, head.headers());
            writeFraming(out, body);
            out.put(CRLF);
        } catch (IllegalArgumentException e) {
            out.position(start);
            throw e;
        }
    }

    /** The exact number of bytes {@link #writeResponseHead} writes. */
    public static int responseHeadLength(ResponseHead head, long body) {
        return statusLineLength(head) + headersLength(head.headers()) + framingLength(body) + 2;
    }

    /**
     * Writes the status line (pre-encoded for a standard code whose reason is null or standard),
     * the headers as given, the framing header for {@code body}, and the empty line. A 1xx or 204
     * response takes {@link #NO_BODY} only.
     */
    public static void writeResponseHead(ByteBuffer out, ResponseHead head, long body) {
        int s = head.status();
        if ((s < 200 || s == 204) && body != NO_BODY) {
            throw new IllegalArgumentException("a " + s + " response has no content and no framing header");
        }
        int start = out.position();
        try {
            checkRoom(out, responseHeadLength(head, body));
            checkFraming(head.headers(), body);
            byte[] pre = preEncoded(head);
            if (pre != null) {
                out.put(pre);
            } else {
                putAscii(out, head.version().text());
                out.put((byte) ' ');
                out.put((byte) ('0' + s / 100));
                out.put((byte) ('0' + s / 10 % 10));
                out.put((byte) ('0' + s % 10));
                out.put((byte) ' ');
                put(out, reasonOf(head), REASON, "reason phrase");
                out.put(CRLF);
            }
            writeFields(out, head.headers());
            writeFraming(out, body);
            out.put(CRLF);
        } catch (IllegalArgumentException e) {
            out.position(start);
            throw e;
        }
    }

    /** A new heap buffer holding the request head, flipped for reading. */
    public static ByteBuffer encode(RequestHead head, long body) {
        ByteBuffer b = ByteBuffer.allocate(requestHeadLength(head, body));
        writeRequestHead(b, head, body);
        return b.flip();
    }

    /** A new heap buffer holding the response head, flipped for reading. */
    public static ByteBuffer encode(ResponseHead head, long body) {
        ByteBuffer b = ByteBuffer.allocate(responseHeadLength(head, body));
        writeResponseHead(b, head, body);
        return b.flip();
    }

    // ---- chunks

    /** The number of bytes {@link #writeChunkHeader} writes for {@code size}. */
    public static int chunkHeaderLength(long size) {
        return hexDigits(size) + 2;
    }

    /** Writes a chunk's size line ({@code 1a2b CRLF}); the caller then writes the {@code size} bytes and {@link #writeChunkEnd}. */
    public static void writeChunkHeader(ByteBuffer out, long size) {
        if (size <= 0) {
            throw new IllegalArgumentException("a chunk has at least one byte (the last chunk is writeLastChunk): " + size);
        }
        checkRoom(out, chunkHeaderLength(size));
        for (int shift = (hexDigits(size) - 1) * 4; shift >= 0; shift -= 4) {
            out.put(HEX_DIGITS[(int) (size >>> shift) & 0xf]);
        }
        out.put(CRLF);
    }

    /** Writes the CRLF that ends a chunk's data. */
    public static void writeChunkEnd(ByteBuffer out) {
        checkRoom(out, 2);
        out.put(CRLF);
    }

    /** Writes a whole chunk: size line, a copy of {@code data}'s remaining bytes (consumed), CRLF. Nothing for empty data. */
    public static void writeChunk(ByteBuffer out, ByteBuffer data) {
        int n = data.remaining();
        if (n == 0) {
            return;
        }
        checkRoom(out, chunkHeaderLength(n) + n + 2);
        writeChunkHeader(out, n);
        out.put(data);
        out.put(CRLF);
    }

    /** The number of bytes {@link #writeLastChunk} writes. */
    public static int lastChunkLength(Headers trailers) {
        return 3 + (trailers == null ? 0 : headersLength(trailers)) + 2;
    }

    /** Writes the last chunk ({@code 0 CRLF}), the trailer fields (none if null) and the empty line that end chunked content. */
    public static void writeLastChunk(ByteBuffer out, Headers trailers) {
        int start = out.position();
        try {
            checkRoom(out, lastChunkLength(trailers));
            out.put(LAST_CHUNK);
            if (trailers != null) {
                writeFields(out, trailers);
            }
            out.put(CRLF);
        } catch (IllegalArgumentException e) {
            out.position(start);
            throw e;
        }
    }

    // ---- the parts

    private static byte[] preEncoded(ResponseHead head) {
        int s = head.status();
        if (s >= 600) {
            return null;
        }
        byte[] line = STATUS_LINES[head.version().ordinal()][s];
        if (line == null) {
            return null;
        }
        String r = head.reason();
        return r == null || r.equals(REASONS[s]) ? line : null;
    }

    private static String reasonOf(ResponseHead head) {
        return head.reason() != null ? head.reason() : reasonPhrase(head.status());
    }

    private static int statusLineLength(ResponseHead head) {
        byte[] pre = preEncoded(head);
        return pre != null ? pre.length : 8 + 1 + 3 + 1 + reasonOf(head).length() + 2;
    }

    private static int headersLength(Headers h) {
        int n = 0;
        for (int i = 0, size = h.size(); i < size; i++) {
            n += h.name(i).length() + 2 + h.value(i).length() + 2;
        }
        return n;
    }

    private static int framingLength(long body) {
        if (body >= 0) {
            return CONTENT_LENGTH.length + decimalDigits(body) + 2;
        }
        if (body == CHUNKED) {
            return TE_CHUNKED.length;
        }
        if (body == NO_BODY || body == UNTIL_CLOSE) {
            return 0;
        }
        throw new IllegalArgumentException("not a body kind: " + body);
    }

    private static void checkFraming(Headers h, long body) {
        if (body >= 0 || body == CHUNKED) {
            for (int i = 0, size = h.size(); i < size; i++) {
                String name = h.name(i);
                if (Ascii.equalsLower(name, "content-length") || Ascii.equalsLower(name, "transfer-encoding")) {
                    throw new IllegalArgumentException(name + " is written by the serializer from the body kind");
                }
            }
        }
    }

    private static void writeFraming(ByteBuffer out, long body) {
        if (body >= 0) {
            out.put(CONTENT_LENGTH);
            int d = decimalDigits(body);
            int p = out.position();
            for (int i = d - 1; i >= 0; i--) {
                out.put(p + i, (byte) ('0' + body % 10));
                body /= 10;
            }
            out.position(p + d);
            out.put(CRLF);
        } else if (body == CHUNKED) {
            out.put(TE_CHUNKED);
        }
    }

    private static void writeFields(ByteBuffer out, Headers h) {
        for (int i = 0, size = h.size(); i < size; i++) {
            put(out, h.name(i), TOKEN, "field name");
            out.put((byte) ':');
            out.put((byte) ' ');
            put(out, h.value(i), VALUE, "field value");
            out.put(CRLF);
        }
    }

    private static final int TOKEN = 0;
    private static final int VALUE = 1;
    private static final int TARGET = 2;
    private static final int REASON = 3;

    /** Writes {@code s} as ISO-8859-1, checking each character against the rules of {@code kind}. */
    private static void put(ByteBuffer out, String s, int kind, String what) {
        int n = s.length();
        if (n == 0 && (kind == TOKEN || kind == TARGET)) {
            throw new IllegalArgumentException("empty " + what);
        }
        if (out.hasArray()) {
            byte[] a = out.array();
            int p = out.arrayOffset() + out.position();
            for (int i = 0; i < n; i++) {
                a[p + i] = check(s.charAt(i), kind, what, s);
            }
            out.position(out.position() + n);
        } else {
            for (int i = 0; i < n; i++) {
                out.put(check(s.charAt(i), kind, what, s));
            }
        }
    }

    private static byte check(char c, int kind, String what, String s) {
        boolean ok = switch (kind) {
            case TOKEN -> c < 256 && Ascii.TCHAR[c];
            case TARGET -> c > 0x20 && c < 0x7f;
            default -> c < 256 && (c >= 0x20 || c == '\t') && c != 0x7f;
        };
        if (!ok) {
            throw new IllegalArgumentException("invalid character 0x" + Integer.toHexString(c) + " in " + what
                    + (kind == TOKEN ? " '" + s + "'" : ""));
        }
        return (byte) c;
    }

    private static void putAscii(ByteBuffer out, String s) {
        for (int i = 0, n = s.length(); i < n; i++) {
            out.put((byte) s.charAt(i));
        }
    }

    private static void checkRoom(ByteBuffer out, int n) {
        if (out.remaining() < n) {
            throw new BufferOverflowException();
        }
    }

    private static int decimalDigits(long v) {
        int d = 1;
        while (v >= 10) {
            v /= 10;
            d++;
        }
        return d;
    }

    private static int hexDigits(long v) {
        return Math.max(1, (64 - Long.numberOfLeadingZeros(v) + 3) / 4);
    }
}
