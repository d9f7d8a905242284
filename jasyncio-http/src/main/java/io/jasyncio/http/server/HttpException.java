package io.jasyncio.http.server;

import io.jasyncio.http.Headers;
import io.jasyncio.http.internal.h1.H1Serializer;
import java.util.Collection;

/**
 * An error status or a redirect, thrown by a handler or a middleware and answered by the server
 * (aiohttp's {@code HTTPException} family: {@code HTTPNotFound} is {@link #notFound()},
 * {@code HTTPFound(url)} is {@link #found(String)}, and so on). It carries the status, a
 * plain-text body (the reason phrase unless given) and headers to send with it.
 *
 * <p>It has no stack trace: it is control flow, not a bug.
 */
public class HttpException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final String text;
    private final transient Headers headers = new Headers(2);

    /**
     * An exception answered with {@code status} and {@code text} as its plain-text body.
     *
     * @param status an error (4xx, 5xx) or redirect (3xx) status
     * @param text   the body; null for the reason phrase
     */
    public HttpException(int status, String text) {
        super(status + " " + (text == null ? H1Serializer.reasonPhrase(status) : text), null, false, false);
        if (status < 300 || status > 599) {
            throw new IllegalArgumentException("not an error or redirect status: " + status);
        }
        this.status = status;
        this.text = text == null ? H1Serializer.reasonPhrase(status) : text;
    }

    /** The status answered. */
    public final int status() {
        return status;
    }

    /** The plain-text body answered. */
    public final String text() {
        return text;
    }

    /** The headers answered with it (mutable: add {@code WWW-Authenticate}, say). */
    public final Headers headers() {
        return headers;
    }

    /** Adds a header to the answer; returns this. */
    public final HttpException withHeader(String name, String value) {
        headers.add(name, value);
        return this;
    }

    /** 400 Bad Request with {@code text}. */
    public static HttpException badRequest(String text) {
        return new HttpException(400, text);
    }

    /** 401 Unauthorized. */
    public static HttpException unauthorized() {
        return new HttpException(401, null);
    }

    /** 403 Forbidden. */
    public static HttpException forbidden() {
        return new HttpException(403, null);
    }

    /** 404 Not Found. */
    public static HttpException notFound() {
        return new HttpException(404, null);
    }

    /** 405 Method Not Allowed, with {@code Allow} listing {@code allowed}. */
    public static HttpException methodNotAllowed(Collection<String> allowed) {
        return new HttpException(405, null).withHeader("Allow", String.join(", ", allowed));
    }

    /** 408 Request Timeout. */
    public static HttpException requestTimeout() {
        return new HttpException(408, null);
    }

    /** 413 Content Too Large. */
    public static HttpException contentTooLarge() {
        return new HttpException(413, null);
    }

    /** 415 Unsupported Media Type with {@code text}. */
    public static HttpException unsupportedMediaType(String text) {
        return new HttpException(415, text);
    }

    /** 500 Internal Server Error. */
    public static HttpException internalServerError() {
        return new HttpException(500, null);
    }

    /** 503 Service Unavailable. */
    public static HttpException serviceUnavailable() {
        return new HttpException(503, null);
    }

    /** 301 Moved Permanently to {@code location} (aiohttp's {@code HTTPMovedPermanently}). */
    public static HttpException movedPermanently(String location) {
        return redirect(301, location);
    }

    /** 302 Found: a redirect to {@code location} (aiohttp's {@code HTTPFound}). */
    public static HttpException found(String location) {
        return redirect(302, location);
    }

    /** 303 See Other: after a POST, GET {@code location} (aiohttp's {@code HTTPSeeOther}). */
    public static HttpException seeOther(String location) {
        return redirect(303, location);
    }

    /** 307 Temporary Redirect: the same method at {@code location}. */
    public static HttpException temporaryRedirect(String location) {
        return redirect(307, location);
    }

    /** 308 Permanent Redirect: the same method at {@code location}, from now on. */
    public static HttpException permanentRedirect(String location) {
        return redirect(308, location);
    }

    private static HttpException redirect(int status, String location) {
        if (location == null || location.isEmpty()) {
            throw new IllegalArgumentException("a redirect needs a location");
        }
        return new HttpException(status, null).withHeader("Location", location);
    }
}
