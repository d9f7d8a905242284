package io.jasyncio.internal.subprocess;

import io.jasyncio.EventLoop;
import io.jasyncio.net.ExtraInfo;
import io.jasyncio.net.WriteTransport;
import io.jasyncio.subprocess.BrokenPipeException;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The transport of a child's stdin pipe. {@link #write} never blocks: it queues a copy of the
 * bytes for a thread of its own, which drains the queue into the pipe; the buffered size counts
 * what the thread has not yet written, and drives {@code pauseWriting}/{@code resumeWriting} with
 * the water marks, as asyncio's pipe transport does with its buffer.
 *
 * <p>The stream is only ever written, flushed and closed by that thread: closing a process's
 * {@code OutputStream} flushes it, and a flush can block on a full pipe, which the loop must never
 * do.
 */
final class WritePipeTransport implements WriteTransport {
    /** Bytes the thread takes from the queue for one write and flush, at most (unless one chunk is larger). */
    private static final int BATCH = 256 * 1024;

    private final ProcessTransport owner;
    private final EventLoop loop;
    private final OutputStream out;
    private final Process process;

    // On the loop only.
    private long buffered;
    private boolean protocolPaused;
    private int high = DEFAULT_HIGH_WATER;
    private int low = DEFAULT_HIGH_WATER / 4;
    private boolean closing;
    private boolean eofWritten;
    private boolean lost;
    private int writesAfterLoss;

    // Shared with the writer thread, under lock.
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition more = lock.newCondition();
    private final ArrayDeque<byte[]> queue = new ArrayDeque<>();
    private boolean sharedClose;
    private boolean sharedAbort;
    private boolean sharedExited;

    WritePipeTransport(ProcessTransport owner, OutputStream out) {
        this.owner = owner;
        this.loop = owner.loop();
        this.out = out;
        this.process = owner.process();
    }

    void start() {
        PipeThreads.start("jasyncio-pipe-" + owner.getPid() + "-stdin", this::writeLoop);
    }

    // ------------------------------------------------------------------ the writer thread

    private void writeLoop() {
        try {
            while (true) {
                List<byte[]> batch = new ArrayList<>();
                lock.lock();
                try {
                    while (queue.isEmpty() && !sharedClose && !sharedAbort && !sharedExited) {
                        more.awaitUninterruptibly();
                    }
                    if (sharedAbort) {
                        return;
                    }
                    if (queue.isEmpty()) {
                        break; // closed by the user, or the child exited with nothing left to write
                    }
                    if (sharedExited || !process.isAlive()) {
                        // Java swaps the pipe for a null stream once the child has exited: writing
                        // would "succeed" into nothing. Say what it is.
                        int n = 0;
                        for (byte[] c : queue) {
                            n += c.length;
                        }
                        queue.clear();
                        IOException why = new BrokenPipeException(
                                "The process exited before reading " + n + " byte(s) of its stdin", null);
                        post(() -> onFailed(why));
                        return;
                    }
                    int size = 0;
                    while (!queue.isEmpty() && (size == 0 || size + queue.peekFirst().length <= BATCH)) {
                        byte[] c = queue.pollFirst();
                        batch.add(c);
                        size += c.length;
                    }
                } finally {
                    lock.unlock();
                }
                int n = 0;
                for (byte[] c : batch) {
                    out.write(c);
                    n += c.length;
                }
                out.flush();
                int written = n;
                if (!post(() -> onWritten(written))) {
                    return;
                }
            }
            out.close();
            post(this::onClosed);
        } catch (IOException e) {
            post(() -> onFailed(new BrokenPipeException(
                    "Cannot write to the process's stdin: " + e.getMessage(), e)));
        } finally {
            PipeThreads.closeQuietly(out);
        }
    }

    private boolean post(Runnable r) {
        return PipeThreads.post(loop, r);
    }

    // ------------------------------------------------------------------ on the loop

    private void onWritten(int n) {
        if (lost) {
            return;
        }
        buffered -= n;
        if (protocolPaused && buffered <= low) {
            protocolPaused = false;
            owner.stdinResumeWriting();
        }
    }

    private void onClosed() {
        lose(null);
    }

    private void onFailed(IOException e) {
        lose(e);
    }

    private void lose(Exception exc) {
        if (lost) {
            return;
        }
        lost = true;
        closing = true;
        buffered = 0;
        lock.lock();
        try {
            queue.clear();
            sharedAbort = true;
            more.signal();
        } finally {
            lock.unlock();
        }
        owner.pipeLost(0, exc);
    }

    /** The child exited: the thread closes the pipe, or reports a broken pipe if data is left. */
    void processExited() {
        if (lost) {
            return;
        }
        lock.lock();
        try {
            sharedExited = true;
            more.signal();
        } finally {
            lock.unlock();
        }
    }

    /** Any thread: the loop is gone; the thread drops what is queued and ends. */
    void release() {
        lock.lock();
        try {
            queue.clear();
            sharedAbort = true;
            more.signal();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void write(byte[] data, int off, int len) {
        java.util.Objects.checkFromIndexSize(off, len, data.length);
        if (eofWritten) {
            throw new IllegalStateException("Cannot write after writeEof() or close()");
        }
        if (len == 0) {
            return;
        }
        if (closing) {
            // The child went away: asyncio drops the data too; drain() reports the loss.
            writesAfterLoss++;
            return;
        }
        enqueue(Arrays.copyOfRange(data, off, off + len));
    }

    @Override
    public void write(ByteBuffer data) {
        if (eofWritten) {
            throw new IllegalStateException("Cannot write after writeEof() or close()");
        }
        byte[] copy = new byte[data.remaining()];
        data.get(copy);
        if (copy.length == 0) {
            return;
        }
        if (closing) {
            writesAfterLoss++;
            return;
        }
        enqueue(copy);
    }

    private void enqueue(byte[] chunk) {
        buffered += chunk.length;
        lock.lock();
        try {
            queue.addLast(chunk);
            more.signal();
        } finally {
            lock.unlock();
        }
        maybePause();
    }

    private void maybePause() {
        if (!protocolPaused && !closing && buffered > high) {
            protocolPaused = true;
            owner.stdinPauseWriting();
        }
    }

    /** Same as {@link #close()}: a pipe's only way to send EOF is to close it (as asyncio). */
    @Override
    public void writeEof() {
        close();
    }

    @Override
    public boolean canWriteEof() {
        return true;
    }

    /**
     * Closes the pipe once the buffered data is written; the child then reads EOF. The protocol
     * hears {@code pipeConnectionLost(0, null)} after that, or a {@link BrokenPipeException} if
     * the data could not be written.
     */
    @Override
    public void close() {
        eofWritten = true;
        if (closing) {
            return;
        }
        closing = true;
        lock.lock();
        try {
            sharedClose = true;
            more.signal();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Drops the buffered data and closes the pipe. A write the thread has already started
     * finishes first (Java cannot interrupt a pipe write); if the child never reads, the thread
     * waits for it to exit.
     */
    @Override
    public void abort() {
        eofWritten = true;
        if (lost) {
            return;
        }
        closing = true;
        lock.lock();
        try {
            queue.clear();
            sharedAbort = true;
            more.signal();
        } finally {
            lock.unlock();
        }
        loop.callSoon(() -> lose(null));
    }

    @Override
    public boolean isClosing() {
        return closing;
    }

    @Override
    public int getWriteBufferSize() {
        return (int) Math.min(Integer.MAX_VALUE, buffered);
    }

    @Override
    public void setWriteBufferLimits(int high, int low) {
        int h;
        int l;
        if (high < 0) {
            h = low < 0 ? DEFAULT_HIGH_WATER : 4 * low;
        } else {
            h = high;
        }
        l = low < 0 ? h / 4 : low;
        if (l > h) {
            throw new IllegalArgumentException("low (" + l + ") must not be above high (" + h + ")");
        }
        this.high = h;
        this.low = l;
        maybePause();
        if (protocolPaused && buffered <= this.low) {
            protocolPaused = false;
            owner.stdinResumeWriting();
        }
    }

    @Override
    public WriteBufferLimits getWriteBufferLimits() {
        return new WriteBufferLimits(low, high);
    }

    @Override
    public Object getExtraInfo(String name) {
        return ExtraInfo.PROCESS.equals(name) ? process : null;
    }

    /** @return how many writes were dropped because the pipe was already gone */
    int writesAfterLoss() {
        return writesAfterLoss;
    }

    @Override
    public String toString() {
        return "WritePipeTransport[stdin of pid " + owner.getPid() + (lost ? ", closed" : closing ? ", closing" : "")
                + ", buffered " + buffered + "]";
    }
}
