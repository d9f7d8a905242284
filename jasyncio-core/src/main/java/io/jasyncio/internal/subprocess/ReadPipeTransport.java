package io.jasyncio.internal.subprocess;

import io.jasyncio.EventLoop;
import io.jasyncio.net.ExtraInfo;
import io.jasyncio.net.ReadTransport;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The transport of a child's stdout or stderr pipe. A thread of its own does the blocking reads
 * and hands each chunk to the loop; it reads only while reading is not paused and while less than
 * {@link #MAX_IN_FLIGHT} bytes wait for the loop, so a child that writes faster than the loop
 * consumes is held back by the pipe, and memory stays bounded.
 */
final class ReadPipeTransport implements ReadTransport {
    /** Bytes asked of one read: the size of a Linux pipe's buffer. */
    static final int CHUNK = 64 * 1024;
    /** Bytes read and not yet delivered to the protocol, at most (one chunk more may be in a read). */
    static final int MAX_IN_FLIGHT = 4 * CHUNK;

    private final ProcessTransport owner;
    private final EventLoop loop;
    private final int fd;
    private final InputStream in;

    // On the loop only.
    private boolean paused;
    private boolean closing;
    private boolean lost;
    /** Chunks (byte[]) and the end (an End) that came while paused, in order. */
    private final ArrayDeque<Object> held = new ArrayDeque<>();

    // Shared with the reader thread, under lock.
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition wake = lock.newCondition();
    private boolean sharedPaused;
    private boolean sharedClosed;
    private int inFlight;

    private record End(Exception exc) {}

    ReadPipeTransport(ProcessTransport owner, int fd, InputStream in) {
        this.owner = owner;
        this.loop = owner.loop();
        this.fd = fd;
        this.in = in;
    }

    void start() {
        PipeThreads.start("jasyncio-pipe-" + owner.getPid() + "-" + (fd == 1 ? "stdout" : "stderr"), this::readLoop);
    }

    // ------------------------------------------------------------------ the reader thread

    private void readLoop() {
        byte[] buf = new byte[CHUNK];
        Exception failure = null;
        try {
            while (true) {
                lock.lock();
                try {
                    while (!sharedClosed && (sharedPaused || inFlight >= MAX_IN_FLIGHT)) {
                        wake.awaitUninterruptibly();
                    }
                    if (sharedClosed) {
                        return;
                    }
                } finally {
                    lock.unlock();
                }
                int n = in.read(buf, 0, CHUNK);
                if (n < 0) {
                    break;
                }
                if (n == 0) {
                    continue;
                }
                byte[] data = Arrays.copyOf(buf, n);
                lock.lock();
                try {
                    if (sharedClosed) {
                        return;
                    }
                    inFlight += n;
                } finally {
                    lock.unlock();
                }
                if (!post(() -> onData(data))) {
                    return;
                }
            }
        } catch (IOException e) {
            failure = e;
        } finally {
            PipeThreads.closeQuietly(in);
        }
        Exception f = failure;
        post(() -> onEnd(f));
    }

    private boolean post(Runnable r) {
        return PipeThreads.post(loop, r);
    }

    // ------------------------------------------------------------------ on the loop

    private void credit(int n) {
        lock.lock();
        try {
            inFlight -= n;
            wake.signal();
        } finally {
            lock.unlock();
        }
    }

    private void onData(byte[] data) {
        if (closing) {
            credit(data.length);
            return;
        }
        if (paused || !held.isEmpty()) {
            held.addLast(data);
            return;
        }
        credit(data.length);
        owner.pipeData(fd, data);
    }

    private void onEnd(Exception exc) {
        if (closing) {
            return;
        }
        if (paused || !held.isEmpty()) {
            held.addLast(new End(exc));
            return;
        }
        lose(exc);
    }

    /** Delivers one held item, then schedules the next: a protocol that pauses again stops it. */
    private void replay() {
        if (closing || paused || held.isEmpty()) {
            return;
        }
        Object o = held.pollFirst();
        if (!held.isEmpty()) {
            loop.callSoon(this::replay);
        }
        if (o instanceof byte[] data) {
            credit(data.length);
            owner.pipeData(fd, data);
        } else {
            lose(((End) o).exc());
        }
    }

    private void lose(Exception exc) {
        if (lost) {
            return;
        }
        lost = true;
        closing = true;
        held.clear();
        stopThread();
        owner.pipeLost(fd, exc);
    }

    /** Any thread: the loop is gone; the thread stops after the read under way, if any. */
    void release() {
        stopThread();
    }

    private void stopThread() {
        lock.lock();
        try {
            sharedClosed = true;
            wake.signal();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean isReading() {
        return !closing && !paused;
    }

    @Override
    public void pauseReading() {
        if (closing || paused) {
            return;
        }
        paused = true;
        lock.lock();
        try {
            sharedPaused = true;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void resumeReading() {
        if (closing || !paused) {
            return;
        }
        paused = false;
        lock.lock();
        try {
            sharedPaused = false;
            wake.signal();
        } finally {
            lock.unlock();
        }
        if (!held.isEmpty()) {
            loop.callSoon(this::replay);
        }
    }

    /**
     * Stops reading and closes the pipe; the protocol hears {@code pipeConnectionLost(fd, null)}
     * soon after. Data not yet delivered is dropped. The thread closes the stream itself: at once
     * if it is not in a read, else when that read returns (the child writes or exits); a child
     * that writes after that gets a broken pipe. (Closing it here, under a read about to start,
     * could let that read use the number of a file opened meanwhile.)
     */
    @Override
    public void close() {
        if (closing) {
            return;
        }
        closing = true;
        stopThread();
        loop.callSoon(() -> lose(null));
    }

    @Override
    public boolean isClosing() {
        return closing;
    }

    @Override
    public Object getExtraInfo(String name) {
        return ExtraInfo.PROCESS.equals(name) ? owner.process() : null;
    }

    @Override
    public String toString() {
        return "ReadPipeTransport[" + (fd == 1 ? "stdout" : "stderr") + " of pid " + owner.getPid()
                + (lost ? ", closed" : closing ? ", closing" : paused ? ", paused" : "") + "]";
    }
}
