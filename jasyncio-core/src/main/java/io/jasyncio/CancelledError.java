package io.jasyncio;

import java.io.Serial;

/**
 * Thrown at a task's await point when the task (or the future it awaits) is cancelled.
 *
 * <p>Mirrors asyncio's {@code CancelledError}. It extends {@link Error}, not {@link Exception}, for
 * the reason Python made {@code CancelledError} a {@code BaseException} in 3.8: so that a
 * {@code catch (Exception e)} around application code does not swallow a cancellation by accident.
 * Catch it only to clean up, and rethrow it; a task that swallows it keeps running (and
 * {@link Task#cancelling()} still counts the request), exactly as in asyncio.
 */
public class CancelledError extends Error {
    @Serial
    private static final long serialVersionUID = 1L;

    /** A cancellation without a message. */
    public CancelledError() {
        super();
    }

    /**
     * A cancellation with the message given to {@link AsyncFuture#cancel(String)}.
     *
     * @param message the cancel message, or {@code null}
     */
    public CancelledError(String message) {
        super(message);
    }

    /**
     * A cancellation that continues an earlier one (for instance the error a cancelled task raised,
     * re-delivered to whoever awaits that task).
     *
     * @param message the cancel message, or {@code null}
     * @param cause the earlier cancellation, or {@code null}
     */
    public CancelledError(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * Who cancelled, when the loop ran in debug mode: the first {@link CancellationSite} in the
     * chain of causes, whose stack trace is where {@code cancel()} was called.
     *
     * @return the site, or {@code null} outside debug mode
     */
    public CancellationSite site() {
        for (Throwable t = getCause(); t != null; t = t.getCause()) {
            if (t instanceof CancellationSite s) {
                return s;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return null;
    }
}
