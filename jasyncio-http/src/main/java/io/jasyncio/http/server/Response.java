package io.jasyncio.http.server;

import java.nio.charset.StandardCharsets;

/**
 * A response whose content is known at once (aiohttp's {@code web.Response}): a status, headers
 * and a body sent with {@code Content-Length} in one write. Build it with {@link #text},
 * {@link #bytes}, {@link #json} or {@link #empty}, change it with the setters, return it from the
 * handler. A handler may return the same (unchanging) instance to many requests.
 */
public final class Response extends StreamResponse {
    static final String TEXT_PLAIN = "text/plain; charset=utf-8";
    static final String APPLICATION_JSON = "application/json";

    byte[] body;

    /** A response with {@code status} and no content. */
    public Response(int status) {
        super(status);
        body = EMPTY;
    }

    private static final byte[] EMPTY = new byte[0];

    /** 200 with {@code text} as {@code text/plain; charset=utf-8}. */
    public static Response text(String text) {
        return text(200, text);
    }

    /** {@code status} with {@code text} as {@code text/plain; charset=utf-8}. */
    public static Response text(int status, String text) {
        Response r = new Response(status);
        r.body = text.getBytes(StandardCharsets.UTF_8);
        r.contentType = TEXT_PLAIN;
        return r;
    }

    /** 200 with {@code html} as {@code text/html; charset=utf-8}. */
    public static Response html(String html) {
        Response r = text(200, html);
        r.contentType = "text/html; charset=utf-8";
        return r;
    }

    /** 200 with {@code body} (not copied) as {@code contentType} (null: none). */
    public static Response bytes(byte[] body, String contentType) {
        Response r = new Response(200);
        r.body = body;
        r.contentType = contentType;
        return r;
    }

    /** 200 with {@code value} serialised by Jackson as {@code application/json} (aiohttp's {@code json_response}). */
    public static Response json(Object value) {
        return json(200, value);
    }

    /** {@code status} with {@code value} serialised by Jackson as {@code application/json}. */
    public static Response json(int status, Object value) {
        Response r = new Response(status);
        r.body = Json.write(value);
        r.contentType = APPLICATION_JSON;
        return r;
    }

    /** {@code status} with no content (204, say). */
    public static Response empty(int status) {
        return new Response(status);
    }

    /** The body (not a copy). */
    public byte[] body() {
        return body;
    }

    /** Sets the body (not copied); returns this. */
    public Response setBody(byte[] body) {
        checkNotPrepared();
        this.body = body == null ? EMPTY : body;
        return this;
    }

    /** Sets the body to {@code text} in UTF-8 and the type to {@code text/plain; charset=utf-8}; returns this. */
    public Response setText(String text) {
        setBody(text.getBytes(StandardCharsets.UTF_8));
        contentType = TEXT_PLAIN;
        return this;
    }

    @Override
    public Response setStatus(int status) {
        super.setStatus(status);
        return this;
    }

    @Override
    public Response setContentType(String contentType) {
        super.setContentType(contentType);
        return this;
    }

    @Override
    public Response setCookie(Cookie cookie) {
        super.setCookie(cookie);
        return this;
    }

    /**
     * Sends the body gzip-compressed when the client accepts {@code gzip} (aiohttp's
     * {@code enable_compression}); the compression runs on the loop, so use it for bodies of
     * moderate size. Returns this.
     */
    @Override
    public Response enableCompression() {
        super.enableCompression();
        return this;
    }

    /** Adds a header; returns this. */
    public Response header(String name, String value) {
        headers.add(name, value);
        return this;
    }
}
