package io.jasyncio.http.client;

import java.io.Serial;

/** {@link ClientTimeout#connect()}: opening a new connection (TCP and TLS) took too long; time waiting for the pool is not counted. */
public final class ConnectTimeoutException extends ClientTimeoutException {
    @Serial
    private static final long serialVersionUID = 1L;

    ConnectTimeoutException(String method, String url, double seconds, String detail) {
        super(ClientTimeout.Kind.CONNECT, method, url, seconds, detail);
    }
}
