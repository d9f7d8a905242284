package io.jasyncio.http.client;

import java.io.IOException;
import java.io.Serial;

/**
 * A request failed for a reason of the network or the peer (aiohttp's {@code ClientError}); the
 * message names the request. Timeouts are {@link ClientTimeoutException}s instead, which are
 * {@link io.jasyncio.AsyncTimeoutException}s.
 */
public sealed class ClientException extends IOException
        permits ClientConnectionException, ServerDisconnectedException, ClientPayloadException,
        TooManyRedirectsException, ClientResponseException {
    @Serial
    private static final long serialVersionUID = 1L;

    ClientException(String message, Throwable cause) {
        super(message, cause);
    }
}
