package io.jasyncio.subprocess;

import java.io.IOException;
import java.io.Serial;

/**
 * Data for a child's stdin could not be written: the child closed its end of the pipe or exited
 * (asyncio's {@code BrokenPipeError}). What was still buffered is dropped.
 */
public class BrokenPipeException extends IOException {
    @Serial
    private static final long serialVersionUID = 1L;

    /**
     * A broken pipe.
     *
     * @param message what happened
     * @param cause the I/O error that showed it, or null
     */
    public BrokenPipeException(String message, Throwable cause) {
        super(message, cause);
    }
}
