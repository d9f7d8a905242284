package io.jasyncio.sync;

import java.io.Serial;

/**
 * A {@link Barrier} was broken ({@link Barrier#abort()}) or reset while a task waited on it, or a
 * task tried to pass a broken one. asyncio's {@code BrokenBarrierError}; unchecked, unlike
 * {@code java.util.concurrent.BrokenBarrierException}.
 */
public class BrokenBarrierException extends IllegalStateException {
    @Serial
    private static final long serialVersionUID = 1L;

    /**
     * The barrier is broken.
     *
     * @param message why
     */
    public BrokenBarrierException(String message) {
        super(message);
    }
}
