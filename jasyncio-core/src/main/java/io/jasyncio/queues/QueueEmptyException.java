package io.jasyncio.queues;

import java.io.Serial;

/** The queue is empty: {@link AsyncQueue#getNowait} had nothing to take. asyncio's {@code QueueEmpty}. */
public class QueueEmptyException extends IllegalStateException {
    @Serial
    private static final long serialVersionUID = 1L;

    /**
     * The queue had no item to take.
     *
     * @param message what happened
     */
    public QueueEmptyException(String message) {
        super(message);
    }
}
