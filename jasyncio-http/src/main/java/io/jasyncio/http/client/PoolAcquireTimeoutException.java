package io.jasyncio.http.client;

import java.io.Serial;

/** {@link ClientTimeout#poolAcquire()}: no pooled connection and no free slot within the limit. */
public final class PoolAcquireTimeoutException extends ClientTimeoutException {
    @Serial
    private static final long serialVersionUID = 1L;

    PoolAcquireTimeoutException(String method, String url, double seconds, String detail) {
        super(ClientTimeout.Kind.POOL_ACQUIRE, method, url, seconds, detail);
    }
}
