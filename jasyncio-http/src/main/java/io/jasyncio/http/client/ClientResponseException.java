package io.jasyncio.http.client;

import io.jasyncio.http.Headers;
import java.io.Serial;

/**
 * A response's status is 400 or above and the session or request asked to raise for it
 * ({@link ClientResponse#raiseForStatus()}; aiohttp's {@code ClientResponseError}). The response
 * is released before this is thrown.
 */
public final class ClientResponseException extends ClientException {
    @Serial
    private static final long serialVersionUID = 1L;

    private final int status;
    private final String url;
    private final transient Headers headers;

    ClientResponseException(int status, String reason, String method, String url, Headers headers) {
        super(status + (reason == null || reason.isEmpty() ? "" : " " + reason) + " for " + method + " " + url, null);
        this.status = status;
        this.url = url;
        this.headers = headers;
    }

    /** The response's status. */
    public int status() {
        return status;
    }

    /** The URL that answered with it. */
    public String url() {
        return url;
    }

    /** The response's headers. */
    public Headers headers() {
        return headers;
    }
}
