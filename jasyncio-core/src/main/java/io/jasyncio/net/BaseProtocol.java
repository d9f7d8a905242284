package io.jasyncio.net;

/**
 * Callbacks every protocol receives (asyncio's {@code BaseProtocol}). They run on the loop, one at
 * a time; they must not block and cannot await (start a task for that).
 */
public interface BaseProtocol {
    /**
     * The connection is gone: closed by either side, or failed.
     *
     * @param exc why it was lost, or null for a regular end (EOF, close, abort)
     */
    default void connectionLost(Exception exc) {}

    /** The transport's write buffer went over its high-water mark: stop writing for now. */
    default void pauseWriting() {}

    /** The write buffer drained to its low-water mark: writing may go on. */
    default void resumeWriting() {}
}
