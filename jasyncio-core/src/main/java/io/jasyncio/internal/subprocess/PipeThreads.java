package io.jasyncio.internal.subprocess;

import java.io.Closeable;
import java.io.IOException;

/**
 * The threads that do the blocking I/O of child processes' pipes.
 *
 * <p>They are platform threads, not virtual ones: a pipe read or write blocks in the kernel, and
 * the JDK runs such a call on a virtual thread by pinning its carrier and adding a compensating
 * one to the shared scheduler, up to its maximum pool size (256). A few hundred live pipes would
 * then use up the scheduler that the loops' tasks run on. A platform thread with a small stack
 * costs the same as the pinned carrier and never starves a task.
 */
final class PipeThreads {
    private PipeThreads() {}

    /** Enough for a read loop; the default of 1 MiB (reserved, not committed) is plenty more. */
    private static final long STACK = 256 * 1024;

    static Thread start(String name, Runnable body) {
        return Thread.ofPlatform().daemon(true).name(name).stackSize(STACK).start(body);
    }

    /**
     * Hands work from a pipe thread to the loop.
     *
     * @return false once the loop is closed (then nobody is left to tell)
     */
    static boolean post(io.jasyncio.EventLoop loop, Runnable r) {
        try {
            loop.callSoonThreadsafe(r);
            return true;
        } catch (IllegalStateException closedLoop) {
            return false;
        }
    }

    static void closeQuietly(Closeable c) {
        try {
            c.close();
        } catch (IOException | RuntimeException ignored) {
            // Nothing to tell: the pipe is being dropped.
        }
    }
}
