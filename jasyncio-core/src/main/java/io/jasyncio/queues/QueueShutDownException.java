package io.jasyncio.queues;

import java.io.Serial;

/** The queue was shut down: no more puts, and gets fail once it is empty (at once after an immediate shutdown). asyncio's {@code QueueShutDown} (3.13). */
public class QueueShutDownException extends IllegalStateException {
    @Serial
    private static final long serialVersionUID = 1L;

    /**
     * The queue was shut down.
     *
     * @param message what happened
     */
    public QueueShutDownException(String message) {
        super(message);
    }
}
