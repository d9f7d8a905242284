package io.jasyncio.http.client;

import java.io.Serial;

/**
 * The server closed the connection before the response's head arrived in full (aiohttp's
 * {@code ServerDisconnectedError}). An idempotent request that meets a kept-alive connection the
 * server had already closed is retried once on a new connection and never raises this; a
 * non-idempotent one raises it, saying so, since the server may have acted on it.
 */
public final class ServerDisconnectedException extends ClientException {
    @Serial
    private static final long serialVersionUID = 1L;

    /**
     * A disconnect.
     *
     * @param message what happened, for which request
     * @param cause the connection's error, or null for a clean close
     */
    public ServerDisconnectedException(String message, Throwable cause) {
        super(message, cause);
    }
}
