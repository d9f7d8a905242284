package io.jasyncio.http.client;

import java.io.Serial;

/**
 * A response could not be read as HTTP: malformed head or framing, a body cut short by the
 * server, undecodable content coding, or a body over the session's limit
 * ({@link BodyTooLargeException}). The connection is closed.
 */
public sealed class ClientPayloadException extends ClientException permits BodyTooLargeException {
    @Serial
    private static final long serialVersionUID = 1L;

    /**
     * A bad response.
     *
     * @param message what was wrong, for which request
     * @param cause the parser's {@link io.jasyncio.http.HttpParseException} or the decoder's error, or null
     */
    public ClientPayloadException(String message, Throwable cause) {
        super(message, cause);
    }
}
