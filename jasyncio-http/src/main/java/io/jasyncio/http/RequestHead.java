package io.jasyncio.http;

import java.util.Objects;

/**
 * The start line and header section of a request: what the parser reports when a request's head
 * is complete, and what the serializer writes.
 *
 * @param method  the method, a token (case-sensitive)
 * @param target  the request-target exactly as sent (origin-form {@code /path?q}, absolute-form
 *                {@code http://host/path}, authority-form {@code host:port} for {@code CONNECT},
 *                or {@code *} for {@code OPTIONS})
 * @param version the protocol version
 * @param headers the header fields, in order, as sent
 */
public record RequestHead(String method, String target, HttpVersion version, Headers headers) {
    /** Checks that no component is null. */
    public RequestHead {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(headers, "headers");
    }
}
