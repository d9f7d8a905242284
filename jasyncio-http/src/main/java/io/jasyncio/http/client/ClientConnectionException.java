package io.jasyncio.http.client;

import java.io.Serial;

/**
 * A new connection could not be opened: the name did not resolve, every address refused or was
 * unreachable, or TLS failed ({@link ClientSslException}). The cause is the core's exception.
 */
public sealed class ClientConnectionException extends ClientException permits ClientSslException {
    @Serial
    private static final long serialVersionUID = 1L;

    /**
     * A failed connect.
     *
     * @param message what failed, for which request
     * @param cause the underlying exception
     */
    public ClientConnectionException(String message, Throwable cause) {
        super(message, cause);
    }
}
