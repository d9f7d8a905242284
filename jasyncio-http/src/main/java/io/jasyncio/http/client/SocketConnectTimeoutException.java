package io.jasyncio.http.client;

import java.io.Serial;

/** {@link ClientTimeout#sockConnect()}: the TCP connect of a new connection took too long. */
public final class SocketConnectTimeoutException extends ClientTimeoutException {
    @Serial
    private static final long serialVersionUID = 1L;

    SocketConnectTimeoutException(String method, String url, double seconds, String detail) {
        super(ClientTimeout.Kind.SOCKET_CONNECT, method, url, seconds, detail);
    }
}
