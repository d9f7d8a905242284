package io.jasyncio.http.client;

import java.io.Serial;

/** The TLS handshake of a new connection failed: an untrusted certificate, a wrong host name, no common protocol. */
public final class ClientSslException extends ClientConnectionException {
    @Serial
    private static final long serialVersionUID = 1L;

    /**
     * A failed handshake.
     *
     * @param message what failed, for which request
     * @param cause the {@link javax.net.ssl.SSLException}
     */
    public ClientSslException(String message, Throwable cause) {
        super(message, cause);
    }
}
