package io.jasyncio.http.client;

import java.io.Serial;

/** {@link ClientTimeout#total()}: the request as a whole took too long. */
public final class TotalTimeoutException extends ClientTimeoutException {
    @Serial
    private static final long serialVersionUID = 1L;

    TotalTimeoutException(String method, String url, double seconds, String detail) {
        super(ClientTimeout.Kind.TOTAL, method, url, seconds, detail);
    }
}
