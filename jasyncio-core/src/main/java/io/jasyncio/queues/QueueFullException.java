package io.jasyncio.queues;

import java.io.Serial;

/** The queue is full: {@link AsyncQueue#putNowait} could not add. asyncio's {@code QueueFull}. */
public class QueueFullException extends IllegalStateException {
    @Serial
    private static final long serialVersionUID = 1L;

    /**
     * The queue had no room.
     *
     * @param message what happened
     */
    public QueueFullException(String message) {
        super(message);
    }
}
