package io.jasyncio.internal;

import java.io.IOException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * The one platform thread that runs a dedicated loop's virtual threads, and that also does the
 * loop's selector waits itself.
 *
 * <p>Why it waits in the selector: a virtual thread that calls {@link Selector#select} does not
 * block in {@code epoll_wait}; the JDK parks it and has its own poller threads watch the
 * selector, so each wake-up of an idle loop costs two or three thread hand-offs (poller thread,
 * then the carrier) on top of the kernel's. Here the loop's thread parks, this carrier notices the
 * request and blocks in {@code epoll_wait} natively, as Netty's event-loop thread does; when it
 * returns it resumes the loop's thread on itself, with no other thread involved.
 */
public final class LoopCarrier implements Executor {
    private static final int RUNNING = 0;
    private static final int PARKED = 1;
    private static final int SELECTING = 2;

    private final Thread thread;
    private final ConcurrentLinkedQueue<Runnable> queue = new ConcurrentLinkedQueue<>();
    private volatile int state = RUNNING;
    private volatile boolean shutdown;

    // The pending select request, written by the requesting virtual thread before it parks.
    private volatile boolean requested;
    private Selector reqSelector;
    private long reqTimeoutMs;
    private Consumer<SelectionKey> reqSink;
    private Thread requester;
    /** What the select threw (an IOException, or an error of the sink), for the requester to rethrow. */
    private Throwable reqError;

    /**
     * Starts the carrier thread.
     *
     * @param name its name
     */
    public LoopCarrier(String name) {
        thread = new Thread(this::runLoop, name);
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void execute(Runnable r) {
        queue.add(r);
        if (Thread.currentThread() != thread) {
            int s = state;
            if (s == PARKED) {
                LockSupport.unpark(thread);
            } else if (s == SELECTING) {
                Selector sel = reqSelector;
                if (sel != null) {
                    sel.wakeup();
                }
            }
        }
    }

    /** Lets the thread end once its queue is empty. */
    public void shutdown() {
        shutdown = true;
        LockSupport.unpark(thread);
    }

    /**
     * Runs the queue and the select requests until shut down. Nothing may end this thread early:
     * every virtual thread of the loop runs on it, so its death would freeze the loop for good.
     */
    private void runLoop() {
        for (;;) {
            try {
                if (!runOnce()) {
                    return;
                }
            } catch (Throwable e) {
                uncaught(e);
            }
        }
    }

    /** One round of {@link #runLoop}; false once shut down. */
    private boolean runOnce() {
        Runnable r;
        while ((r = queue.poll()) != null) {
            try {
                r.run();
            } catch (Throwable e) {
                uncaught(e);
            }
        }
        if (requested) {
            doSelect();
            return true;
        }
        if (shutdown) {
            return false;
        }
        state = PARKED;
        if (queue.isEmpty() && !requested && !shutdown) {
            LockSupport.park(this);
        }
        state = RUNNING;
        return true;
    }

    private void uncaught(Throwable e) {
        try {
            Thread.UncaughtExceptionHandler h = thread.getUncaughtExceptionHandler();
            if (h != null) {
                h.uncaughtException(thread, e);
            }
        } catch (Throwable ignored) {
            // nothing left to report with
        }
    }

    private void doSelect() {
        Selector s = reqSelector;
        try {
            state = SELECTING;
            // A task queued meanwhile must not wait for I/O: only poll.
            if (!queue.isEmpty() || reqTimeoutMs == 0) {
                s.selectNow(reqSink);
            } else if (reqTimeoutMs < 0) {
                s.select(reqSink);
            } else {
                s.select(reqSink, reqTimeoutMs);
            }
        } catch (Throwable e) {
            reqError = e;   // the requester rethrows it: its loop decides what it means
        } finally {
            state = RUNNING;
        }
        Thread t = requester;
        requester = null;
        reqSink = null;
        requested = false;
        LockSupport.unpark(t);  // lands in this carrier's queue: the loop goes on, on this thread
    }

    /**
     * Whether the calling thread can hand its select to this carrier: a virtual thread (the
     * carrier can only run those).
     *
     * @return true for a virtual thread
     */
    public boolean canSelectFor() {
        return Thread.currentThread().isVirtual() && !shutdown;
    }

    /**
     * Selects on behalf of the calling virtual thread (which must be running on this carrier):
     * parks it, lets the carrier block in the selector, and returns once the selected keys went to
     * {@code sink}.
     *
     * @param s the selector
     * @param timeoutMs 0 to poll, negative to wait without limit, else at most this many ms
     * @param sink receives the selected keys, on the carrier thread (the caller is parked)
     * @throws IOException if the select failed
     * @throws RuntimeException or {@link Error}: what the select or {@code sink} threw, unchanged
     */
    public void selectFor(Selector s, long timeoutMs, Consumer<SelectionKey> sink) throws IOException {
        Thread me = Thread.currentThread();
        reqSelector = s;
        reqTimeoutMs = timeoutMs;
        reqSink = sink;
        requester = me;
        reqError = null;
        requested = true;
        if (state == PARKED) {
            LockSupport.unpark(thread);  // the caller runs elsewhere (a home thread on another scheduler)
        }
        // A plain park: a timed one would arm a JDK timer (a thread hand-off) on every idle wait.
        // The caller cannot be pinned here: in a dedicated loop a pinned task would already have
        // deadlocked at its first hand-off, since every task shares this one carrier.
        // An interrupt makes park return at once without giving the carrier up, and a virtual
        // thread is never preempted: with the flag set this would spin and the carrier would never
        // serve the request. Set it aside while waiting, and restore it after.
        boolean interrupted = false;
        while (requested) {
            LockSupport.park(this);
            interrupted |= Thread.interrupted();
        }
        if (interrupted) {
            me.interrupt();
        }
        Throwable e = reqError;
        if (e != null) {
            reqError = null;
            if (e instanceof IOException io) {
                throw io;
            }
            if (e instanceof RuntimeException re) {
                throw re;
            }
            if (e instanceof Error err) {
                throw err;
            }
            throw new IOException(e);
        }
    }

    /** The carrier thread. */
    public Thread thread() {
        return thread;
    }
}
