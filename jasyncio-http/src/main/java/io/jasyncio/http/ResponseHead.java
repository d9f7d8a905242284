package io.jasyncio.http;

import java.util.Objects;

/**
 * The status line and header section of a response: what the parser reports when a response's
 * head is complete, and what the serializer writes.
 *
 * @param version the protocol version
 * @param status  the status code, 100 to 999
 * @param reason  the reason phrase as sent ({@code ""} when absent); the serializer writes the
 *                standard phrase for {@code null}
 * @param headers the header fields, in order, as sent
 */
public record ResponseHead(HttpVersion version, int status, String reason, Headers headers) {
    /** Checks that no component other than {@code reason} is null and that the status has three digits. */
    public ResponseHead {
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(headers, "headers");
        if (status < 100 || status > 999) {
            throw new IllegalArgumentException("status must have three digits: " + status);
        }
    }

    /** Whether this is an interim (1xx) response, which another response follows. */
    public boolean isInformational() {
        return status < 200;
    }
}
