package io.jasyncio.net;

/** The receiving half of a transport: read flow control (asyncio's {@code ReadTransport}). */
public interface ReadTransport extends BaseTransport {
    /** {@return true unless reading is paused (or the transport is closing)} */
    boolean isReading();

    /**
     * Stops delivering received data to the protocol until {@link #resumeReading}; the kernel's
     * buffer then fills and the peer's sends are eventually held back. Idempotent.
     */
    void pauseReading();

    /** Delivers received data again. Idempotent. */
    void resumeReading();
}
