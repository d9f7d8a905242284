package io.jasyncio.http.client;

import io.jasyncio.AsyncTimeoutException;
import java.io.Serial;

/**
 * A limit of {@link ClientTimeout} expired: the message and {@link #kind()} say which, for which
 * request. Each kind has its own subclass, so a handler can catch exactly one. It is an
 * {@link AsyncTimeoutException}, so code that handles jasyncio's timeouts handles it too. The
 * connection the request was using is closed, never returned to the pool.
 */
public sealed class ClientTimeoutException extends AsyncTimeoutException
        permits TotalTimeoutException, ConnectTimeoutException, SocketConnectTimeoutException,
        SocketReadTimeoutException, PoolAcquireTimeoutException {
    @Serial
    private static final long serialVersionUID = 1L;

    private final ClientTimeout.Kind kind;
    private final String method;
    private final String url;
    private final double seconds;

    ClientTimeoutException(ClientTimeout.Kind kind, String method, String url, double seconds, String detail) {
        super(kind.label() + " timeout (" + seconds + " s) expired for " + method + " " + url
                + (detail == null ? "" : ": " + detail));
        this.kind = kind;
        this.method = method;
        this.url = url;
        this.seconds = seconds;
    }

    /**
     * The exception for a limit that fired.
     *
     * @param kind which limit
     * @param method the request's method
     * @param url the request's URL
     * @param seconds the limit
     * @param detail what was being waited for, or null
     * @return the subclass for {@code kind}
     */
    public static ClientTimeoutException of(ClientTimeout.Kind kind, String method, String url, double seconds,
            String detail) {
        return switch (kind) {
            case TOTAL -> new TotalTimeoutException(method, url, seconds, detail);
            case CONNECT -> new ConnectTimeoutException(method, url, seconds, detail);
            case SOCKET_CONNECT -> new SocketConnectTimeoutException(method, url, seconds, detail);
            case SOCKET_READ -> new SocketReadTimeoutException(method, url, seconds, detail);
            case POOL_ACQUIRE -> new PoolAcquireTimeoutException(method, url, seconds, detail);
        };
    }

    /** Which limit fired. */
    public ClientTimeout.Kind kind() {
        return kind;
    }

    /** The request's method. */
    public String method() {
        return method;
    }

    /** The URL of the request that timed out (after redirects, the one being fetched). */
    public String url() {
        return url;
    }

    /** The limit that expired, in seconds. */
    public double seconds() {
        return seconds;
    }
}
