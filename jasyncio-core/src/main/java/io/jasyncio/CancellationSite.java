package io.jasyncio;

import java.io.Serial;

/**
 * Where a cancellation came from, attached in debug mode as the cause of every
 * {@link CancelledError} it produces: its message names who cancelled (a task, a timeout, a task
 * group, a callback) and its stack trace is the place {@code cancel()} was called. Answers "who
 * cancelled my task?" without a debugger.
 */
public final class CancellationSite extends RuntimeException {
    @Serial
    private static final long serialVersionUID = 1L;

    /** Who cancelled, as {@link #canceller()} returns it. */
    private final String canceller;

    CancellationSite(String canceller) {
        super("cancelled by " + canceller);
        this.canceller = canceller;
    }

    /** {@return who cancelled: {@code task 'name'}, {@code a callback}, {@code timeout ...}, {@code task group ...}} */
    public String canceller() {
        return canceller;
    }
}
