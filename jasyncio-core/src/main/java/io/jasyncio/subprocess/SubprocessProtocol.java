package io.jasyncio.subprocess;

import io.jasyncio.net.BaseProtocol;

/**
 * The callbacks of a child process and its pipes (asyncio's {@code SubprocessProtocol}). They run
 * on the loop, one at a time; they must not block and cannot await (start a task for that).
 *
 * <p>Call order: {@link #connectionMade} once, before anything else; then, in any interleaving,
 * {@link #pipeDataReceived} for fds 1 and 2, {@link #pipeConnectionLost} once per pipe, and
 * {@link #processExited} once; then {@link #connectionLost} once, after the process has exited
 * and every pipe is closed. Data of one pipe arrives in order. As in asyncio,
 * {@code processExited} may come before the last data of a pipe: the child can exit while its
 * output is still in the pipe.
 *
 * <p>{@link #pauseWriting()} and {@link #resumeWriting()} are the stdin pipe's write flow control.
 */
public interface SubprocessProtocol extends BaseProtocol {
    /**
     * The process is started and its pipes are connected. Called once, before any other callback.
     *
     * @param transport the process's transport
     */
    default void connectionMade(SubprocessTransport transport) {}

    /**
     * The child wrote to its stdout (fd 1) or stderr (fd 2).
     *
     * @param fd 1 or 2
     * @param data the bytes, never empty; the protocol's to keep
     */
    default void pipeDataReceived(int fd, byte[] data) {}

    /**
     * A pipe closed: end of output for fds 1 and 2, or the stdin pipe (fd 0) is gone.
     *
     * @param fd 0, 1 or 2
     * @param exc why, or null for a regular end (EOF, close, or the process exited with nothing
     *     left to write); for fd 0 a {@link BrokenPipeException} when data could not be written
     */
    default void pipeConnectionLost(int fd, Exception exc) {}

    /** The process exited; {@link SubprocessTransport#getReturncode()} now tells how. */
    default void processExited() {}
}
