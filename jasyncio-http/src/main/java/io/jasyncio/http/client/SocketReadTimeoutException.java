package io.jasyncio.http.client;

import java.io.Serial;

/** {@link ClientTimeout#sockRead()}: the server was silent for too long while a response was awaited or read. */
public final class SocketReadTimeoutException extends ClientTimeoutException {
    @Serial
    private static final long serialVersionUID = 1L;

    SocketReadTimeoutException(String method, String url, double seconds, String detail) {
        super(ClientTimeout.Kind.SOCKET_READ, method, url, seconds, detail);
    }
}
