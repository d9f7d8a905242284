package io.jasyncio.http.server;

import io.jasyncio.http.Headers;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * A response written in pieces (aiohttp's {@code web.StreamResponse}): set the status and
 * headers, {@link #prepare} it (the head is sent), {@link #write} the content as it is produced,
 * then return it from the handler ({@link #writeEof} is then called for you). Without a
 * {@link #setContentLength content length} the content is chunked (HTTP/1.1) or runs until the
 * connection closes (HTTP/1.0). {@link Response} is the one-piece kind.
 *
 * <p>Back-pressure: {@link #write} waits while the client reads slower than the handler writes
 * (the connection's write buffer is over its high-water mark), so memory stays flat.
 */
public sealed class StreamResponse permits Response {
    int status;
    String reason;
    final Headers headers = new Headers(4);
    String contentType;
    long contentLength = -1;
    Exchange exchange;
    boolean eof;
    boolean compress;

    /** A 200 response. */
    public StreamResponse() {
        this(200);
    }

    /** A response with {@code status} (100 to 999). */
    public StreamResponse(int status) {
        setStatus(status);
    }

    /** The status. */
    public final int status() {
        return status;
    }

    /** Sets the status (before {@link #prepare}); returns this. */
    public StreamResponse setStatus(int status) {
        if (status < 100 || status > 999) {
            throw new IllegalArgumentException("status must have three digits: " + status);
        }
        checkNotPrepared();
        this.status = status;
        return this;
    }

    /** Sets the reason phrase (null: the standard one); returns this. */
    public StreamResponse setReason(String reason) {
        checkNotPrepared();
        this.reason = reason;
        return this;
    }

    /** The headers to send (without framing fields: the server writes {@code Content-Length} or {@code Transfer-Encoding}). */
    public final Headers headers() {
        return headers;
    }

    /** The {@code Content-Type}, or null. */
    public final String contentType() {
        return contentType;
    }

    /** Sets the {@code Content-Type}; returns this. */
    public StreamResponse setContentType(String contentType) {
        checkNotPrepared();
        this.contentType = contentType;
        return this;
    }

    /**
     * Sends the content gzip-compressed when the client accepts {@code gzip} (aiohttp's
     * {@code enable_compression}), with {@code Content-Encoding: gzip} and
     * {@code Vary: Accept-Encoding}. For a stream (before {@link #prepare}): a declared length is
     * then dropped (the compressed length is unknown) and the content is chunked; each
     * {@link #write} is compressed and flushed at once (a sync flush), so the client can decode
     * every piece as it comes. The compression runs on the loop. Returns this.
     */
    public StreamResponse enableCompression() {
        checkNotPrepared();
        compress = true;
        return this;
    }

    /** Declares the content's length (before {@link #prepare}): written with {@code Content-Length} instead of chunked. Returns this. */
    public StreamResponse setContentLength(long length) {
        checkNotPrepared();
        if (length < -1) {
            throw new IllegalArgumentException("negative length");
        }
        this.contentLength = length;
        return this;
    }

    /** Adds a {@code Set-Cookie}; returns this. */
    public StreamResponse setCookie(Cookie cookie) {
        checkNotPrepared();
        headers.add("Set-Cookie", cookie.headerValue());
        return this;
    }

    /** Deletes the client's cookie {@code name} (an expired one with the same path); returns this. */
    public StreamResponse delCookie(String name, String path) {
        return setCookie(Cookie.of(name, "").withMaxAge(0).withPath(path)
                .withExpires("Thu, 01 Jan 1970 00:00:00 GMT"));
    }

    /** Whether {@link #prepare} has sent the head. */
    public final boolean isPrepared() {
        return exchange != null;
    }

    void checkNotPrepared() {
        if (exchange != null) {
            throw new IllegalStateException("the response's head has been sent");
        }
    }

    /**
     * Sends the head for {@code request} (idempotent), then waits until the connection can take
     * more. A cancellation point: if cancelled while waiting, the head has been sent.
     *
     * @throws IOException if the client has gone
     * @throws IllegalStateException if another response was sent for this request
     */
    public void prepare(Request request) throws IOException {
        if (exchange != null) {
            return;
        }
        request.exchange.prepareStream(this);
        exchange.drain();
    }

    /**
     * Writes {@code data} as content, then waits while the client is slow (the write buffer is
     * over its high-water mark). A cancellation point: if cancelled while waiting, the data has
     * been written. Writes to an answer to {@code HEAD} are dropped.
     *
     * @throws IOException if the client has gone
     * @throws IllegalStateException before {@link #prepare} or after {@link #writeEof}, or past a declared length
     */
    public void write(byte[] data) throws IOException {
        write(data, 0, data.length);
    }

    /** Writes part of {@code data}; as {@link #write(byte[])}. */
    public void write(byte[] data, int off, int len) throws IOException {
        if (exchange == null) {
            throw new IllegalStateException("prepare() the response first");
        }
        if (eof) {
            throw new IllegalStateException("write after writeEof()");
        }
        exchange.writeBody(data, off, len);
        exchange.drain();
    }

    /** Writes {@code text} in UTF-8; as {@link #write(byte[])}. */
    public void write(String text) throws IOException {
        write(text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Ends the content (the last chunk of a chunked response). Idempotent; not an await point.
     *
     * @throws IOException if the client has gone
     */
    public void writeEof() throws IOException {
        if (exchange == null) {
            throw new IllegalStateException("prepare() the response first");
        }
        if (!eof) {
            eof = true;
            exchange.writeEnd();
        }
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + status + "]";
    }
}
