package io.jasyncio.http.client;

import com.fasterxml.jackson.databind.JsonNode;
import io.jasyncio.http.Headers;
import io.jasyncio.http.ResponseHead;
import io.jasyncio.http.internal.client.Exchange;
import io.jasyncio.http.internal.client.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import java.util.zip.Inflater;
import java.util.zip.InflaterInputStream;
import java.util.zip.ZipException;

/**
 * A response: its status and headers at once, its body read on demand (aiohttp's
 * {@code ClientResponse}). Use it in try-with-resources:
 * <pre>{@code
 * try (ClientResponse r = session.get(url)) {
 *     String body = r.text();
 * }
 * }</pre>
 * The body is read whole ({@link #read()}, {@link #text()}, {@link #json(Class)}), or streamed
 * ({@link #readChunk()}, {@link #readLine()}, {@link #bodyStream()}); {@code gzip} and
 * {@code deflate} content is decoded unless the session says otherwise, and a body over the
 * session's {@link ClientSession.Builder#maxBodySize} raises {@link BodyTooLargeException}.
 * {@link #close()} (or {@link #release()}) gives the connection back to the pool if the body
 * arrived in full, and closes it otherwise: a half-read connection is never reused.
 *
 * <p>Every reading method is a cancellation point while it waits for the server: if cancelled,
 * the connection is closed and the response can no longer be read. Call on the session's loop only.
 */
public final class ClientResponse implements AutoCloseable {
    private final ClientSession session;
    private final Exchange exchange;
    private final String method;
    private final URI url;
    private final ResponseHead head;
    private final List<ClientResponse> history;
    private final long maxBodySize;
    private final boolean decompress;
    private InputStream decoder;
    private boolean decoderChecked;
    private byte[] pending;
    private long bodyBytes;
    private boolean eof;
    private boolean released;
    private byte[] lineBuf;
    private int lineLen;

    ClientResponse(ClientSession session, Exchange exchange, String method, URI url, List<ClientResponse> history, long maxBodySize,
            boolean decompress) {
        this.session = session;
        this.exchange = exchange;
        this.method = method;
        this.url = url;
        this.head = exchange.response();
        this.history = history;
        this.maxBodySize = maxBodySize;
        this.decompress = decompress;
    }

    /** The status code. */
    public int status() {
        return head.status();
    }

    /** The reason phrase as sent ({@code ""} if none). */
    public String reason() {
        return head.reason();
    }

    /** The response's headers. */
    public Headers headers() {
        return head.headers();
    }

    /** The first value of a header, or null. */
    public String header(String name) {
        return head.headers().get(name);
    }

    /** The URL this response answers (after redirects, the last one). */
    public URI url() {
        return url;
    }

    /** The request's method. */
    public String method() {
        return method;
    }

    /** The redirect responses that led here, oldest first (empty if none); their bodies are released. */
    public List<ClientResponse> history() {
        return history;
    }

    /** Whether the status is below 400 (aiohttp's {@code ok}). */
    public boolean ok() {
        return head.status() < 400;
    }

    /** The declared {@code Content-Length}, or -1 (chunked, until close, or none). */
    public long contentLength() {
        return exchange.contentLength();
    }

    /** Whether the request went over a connection taken from the pool (for tracing and tests). */
    public boolean reusedConnection() {
        return exchange.reusedConnection();
    }

    /**
     * Raises for an error status: releases this response and throws if the status is 400 or above.
     *
     * @return this response, if its status is below 400
     * @throws ClientResponseException for a status of 400 or above
     */
    public ClientResponse raiseForStatus() throws ClientResponseException {
        if (head.status() >= 400) {
            release();
            throw new ClientResponseException(head.status(), head.reason(), method, url.toString(), head.headers());
        }
        return this;
    }

    /**
     * The next piece of the (decoded) body, or null at its end, when the connection is released
     * to the pool. A cancellation point while nothing has arrived yet.
     *
     * @throws ClientPayloadException if the body is cut short, malformed or over the limit
     * @throws SocketReadTimeoutException if the server is silent longer than the socket-read limit
     */
    public byte[] readChunk() throws IOException {
        if (pending != null) {
            byte[] p = pending;
            pending = null;
            return p;
        }
        if (eof) {
            return null;
        }
        if (released) {
            throw new IllegalStateException("the response to " + method + " " + url + " was released; its body can no longer be read");
        }
        byte[] c;
        try {
            c = decompress ? decoded() : exchange.nextChunk();
            if (c != null) {
                bodyBytes += c.length;
                if (bodyBytes > maxBodySize) {
                    throw new BodyTooLargeException("the body of the response to " + method + " " + url
                            + " is larger than the limit of " + maxBodySize + " bytes", maxBodySize);
                }
            }
        } catch (Throwable t) {
            eof = true;
            released = true;
            exchange.abort();
            session.released(this);
            throw t;
        }
        if (c == null) {
            eof = true;
            release();
        }
        return c;
    }

    private byte[] decoded() throws IOException {
        if (!decoderChecked) {
            decoderChecked = true;
            String coding = head.headers().get("Content-Encoding");
            if (coding != null) {
                coding = coding.trim().toLowerCase(Locale.ROOT);
                if (coding.equals("gzip") || coding.equals("x-gzip") || coding.equals("deflate")) {
                    byte[] firstRaw = exchange.nextChunk();
                    if (firstRaw == null) {
                        return null;
                    }
                    InputStream raw = new RawStream(firstRaw);
                    try {
                        decoder = coding.equals("deflate")
                                ? new InflaterInputStream(raw, new Inflater(!looksLikeZlib(firstRaw)), 8192)
                                : new GZIPInputStream(raw, 8192);
                    } catch (ZipException e) {
                        throw new ClientPayloadException("the " + coding + " body of the response to " + method + " "
                                + url + " cannot be decoded: " + e.getMessage(), e);
                    }
                }
            }
        }
        if (decoder == null) {
            return exchange.nextChunk();
        }
        byte[] buf = new byte[16384];
        int n;
        try {
            n = decoder.read(buf);
        } catch (ZipException | java.io.EOFException e) {
            throw new ClientPayloadException("the encoded body of the response to " + method + " " + url
                    + " cannot be decoded: " + e.getMessage(), e);
        }
        if (n < 0) {
            return null;
        }
        return n == buf.length ? buf : Arrays.copyOf(buf, n);
    }

    private static boolean looksLikeZlib(byte[] b) {
        return b.length >= 2 && (b[0] & 0x0f) == 8 && (((b[0] & 0xff) << 8) | (b[1] & 0xff)) % 31 == 0;
    }

    /** The raw body as an InputStream, for the JDK's decoders; its reads await. */
    private final class RawStream extends InputStream {
        private byte[] cur;
        private int pos;
        private boolean end;

        RawStream(byte[] first) {
            cur = first;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            while (cur == null || pos >= cur.length) {
                if (end) {
                    return -1;
                }
                cur = exchange.nextChunk();
                pos = 0;
                if (cur == null) {
                    end = true;
                    return -1;
                }
            }
            int n = Math.min(len, cur.length - pos);
            System.arraycopy(cur, pos, b, off, n);
            pos += n;
            return n;
        }
    }

    /**
     * The whole (decoded) body. A cancellation point.
     *
     * @throws BodyTooLargeException if it is larger than the session's limit
     */
    public byte[] read() throws IOException {
        byte[] firstChunk = readChunk();
        if (firstChunk == null) {
            return new byte[0];
        }
        byte[] second = readChunk();
        if (second == null) {
            return firstChunk;
        }
        long cl = exchange.contentLength();
        ByteArrayOutputStream out = new ByteArrayOutputStream(cl > 0 && cl < (1 << 24) && !decompressing() ? (int) cl : 8192);
        out.write(firstChunk);
        out.write(second);
        byte[] c;
        while ((c = readChunk()) != null) {
            out.write(c);
        }
        return out.toByteArray();
    }

    private boolean decompressing() {
        return decoder != null;
    }

    /**
     * The body as text: in the charset the {@code Content-Type} names, else the one its byte-order
     * mark says (the mark is dropped), else UTF-8. A cancellation point.
     */
    public String text() throws IOException {
        byte[] b = read();
        Charset cs = declaredCharset();
        if (cs != null) {
            return new String(b, cs);
        }
        if (b.length >= 3 && (b[0] & 0xff) == 0xEF && (b[1] & 0xff) == 0xBB && (b[2] & 0xff) == 0xBF) {
            return new String(b, 3, b.length - 3, StandardCharsets.UTF_8);
        }
        if (b.length >= 2 && (b[0] & 0xff) == 0xFE && (b[1] & 0xff) == 0xFF) {
            return new String(b, 2, b.length - 2, StandardCharsets.UTF_16BE);
        }
        if (b.length >= 2 && (b[0] & 0xff) == 0xFF && (b[1] & 0xff) == 0xFE) {
            return new String(b, 2, b.length - 2, StandardCharsets.UTF_16LE);
        }
        return new String(b, StandardCharsets.UTF_8);
    }

    /** The body decoded as text in {@code charset}. A cancellation point. */
    public String text(Charset charset) throws IOException {
        return new String(read(), charset);
    }

    /** The charset of the {@code Content-Type} header, or null if none (or unknown). */
    public Charset declaredCharset() {
        String ct = head.headers().get("Content-Type");
        if (ct == null) {
            return null;
        }
        for (String part : ct.split(";")) {
            String p = part.trim();
            if (p.regionMatches(true, 0, "charset=", 0, 8)) {
                String name = p.substring(8).trim();
                if (name.length() >= 2 && name.startsWith("\"") && name.endsWith("\"")) {
                    name = name.substring(1, name.length() - 1);
                }
                try {
                    return Charset.forName(name);
                } catch (IllegalArgumentException e) {
                    return null;
                }
            }
        }
        return null;
    }

    /** The body parsed by Jackson as {@code type}. A cancellation point. */
    public <T> T json(Class<T> type) throws IOException {
        return Json.MAPPER.readValue(read(), type);
    }

    /** The body parsed by Jackson as a tree. A cancellation point. */
    public JsonNode json() throws IOException {
        return Json.MAPPER.readTree(read());
    }

    /**
     * The next line of the body without its line end ({@code \n} or {@code \r\n}), decoded in the
     * declared charset (else UTF-8); the last line need not end with one; null at the end. A
     * cancellation point.
     */
    public String readLine() throws IOException {
        for (;;) {
            for (int i = 0; i < lineLen; i++) {
                if (lineBuf[i] == '\n') {
                    int end = i > 0 && lineBuf[i - 1] == '\r' ? i - 1 : i;
                    String s = new String(lineBuf, 0, end, charsetOrUtf8());
                    System.arraycopy(lineBuf, i + 1, lineBuf, 0, lineLen - i - 1);
                    lineLen -= i + 1;
                    return s;
                }
            }
            byte[] c = readChunk();
            if (c == null) {
                if (lineLen == 0) {
                    return null;
                }
                String s = new String(lineBuf, 0, lineLen, charsetOrUtf8());
                lineLen = 0;
                return s;
            }
            if (lineBuf == null) {
                lineBuf = new byte[Math.max(256, c.length)];
            }
            if (lineLen + c.length > lineBuf.length) {
                lineBuf = Arrays.copyOf(lineBuf, Math.max(lineBuf.length * 2, lineLen + c.length));
            }
            System.arraycopy(c, 0, lineBuf, lineLen, c.length);
            lineLen += c.length;
        }
    }

    private Charset charsetOrUtf8() {
        Charset cs = declaredCharset();
        return cs == null ? StandardCharsets.UTF_8 : cs;
    }

    /**
     * The (decoded) body as an {@link InputStream} whose reads await the server: colourless code
     * that wants a stream gets one. Closing it releases the response.
     */
    public InputStream bodyStream() {
        return new InputStream() {
            private byte[] cur;
            private int pos;

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (len == 0) {
                    return 0;
                }
                while (cur == null || pos >= cur.length) {
                    cur = readChunk();
                    pos = 0;
                    if (cur == null) {
                        return -1;
                    }
                }
                int n = Math.min(len, cur.length - pos);
                System.arraycopy(cur, pos, b, off, n);
                pos += n;
                return n;
            }

            @Override
            public void close() {
                release();
            }
        };
    }

    /** Whether the body was read to its end (or the response released). */
    public boolean isReleased() {
        return released;
    }

    /**
     * Releases the response: its connection returns to the pool if the whole body has arrived
     * (unread pieces are dropped), and is closed otherwise. Idempotent; never waits.
     */
    public void release() {
        if (released) {
            return;
        }
        released = true;
        exchange.release();
        session.released(this);
    }

    /** Same as {@link #release()}. */
    @Override
    public void close() {
        release();
    }

    @Override
    public String toString() {
        return "ClientResponse[" + head.status() + " " + method + " " + url + "]";
    }
}
