package io.jasyncio;

import java.io.Serial;

/**
 * Raised when a deadline expires: by {@link Timeout#run} of a raising timeout,
 * {@link Asyncio#waitFor}, {@link Asyncio#asCompleted} and {@link Asyncio#wait} callers that ask for
 * it. Mirrors asyncio's {@code TimeoutError}; the {@code Async} prefix keeps it apart from
 * {@link java.util.concurrent.TimeoutException}, which is checked.
 *
 * <p>When a {@link Timeout} raised it, {@link #timeout()} names that scope, so nested timeouts can
 * tell which one fired. The {@link CancelledError} that unwound the body is the cause.
 */
public class AsyncTimeoutException extends RuntimeException {
    @Serial
    private static final long serialVersionUID = 1L;

    private final transient Timeout timeout;

    /**
     * A timeout not tied to a {@link Timeout} scope.
     *
     * @param message what timed out
     */
    public AsyncTimeoutException(String message) {
        this(message, null, null);
    }

    /**
     * A timeout raised by a scope.
     *
     * @param message what timed out
     * @param timeout the scope whose deadline fired, or {@code null}
     * @param cause the cancellation that unwound the body, or {@code null}
     */
    public AsyncTimeoutException(String message, Timeout timeout, Throwable cause) {
        super(message, cause);
        this.timeout = timeout;
    }

    /**
     * The scope whose deadline fired, if a {@link Timeout} raised this exception.
     *
     * @return the scope, or {@code null}
     */
    public Timeout timeout() {
        return timeout;
    }
}
