package io.jasyncio.http.client;

import java.io.Serial;

/** A response body (decoded) grew past the limit set with {@link ClientSession.Builder#maxBodySize}. */
public final class BodyTooLargeException extends ClientPayloadException {
    @Serial
    private static final long serialVersionUID = 1L;

    private final long limit;

    /**
     * A body over the limit.
     *
     * @param message for which request
     * @param limit the limit in bytes
     */
    public BodyTooLargeException(String message, long limit) {
        super(message, null);
        this.limit = limit;
    }

    /** The limit that was passed, in bytes. */
    public long limit() {
        return limit;
    }
}
