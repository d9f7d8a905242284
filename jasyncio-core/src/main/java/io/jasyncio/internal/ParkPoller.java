package io.jasyncio.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * Where an idle loop sleeps until its next timer is due, I/O is ready, or another thread wakes it.
 * Until the loop first watches a channel it parks the sleeping thread; from then on it waits in
 * its {@link Selector}. {@link #wakeup()} is safe from any thread and is never lost: a wake-up
 * that arrives before the loop sleeps makes the next sleep return at once. It costs a system call
 * only while the loop sleeps in the selector.
 */
public final class ParkPoller {
    private volatile Thread sleeper;
    private volatile boolean wakeupPending;
    /** True while the loop sleeps (or is about to sleep) in the selector. */
    private volatile boolean selecting;
    private volatile Selector selector;
    /** The dedicated carrier, if the loop has one: it does blocking selects for the loop's threads. */
    private volatile LoopCarrier carrier;

    /**
     * Lets a dedicated loop's carrier do the blocking selects (see {@link LoopCarrier}).
     *
     * @param c the carrier
     */
    public void setCarrier(LoopCarrier c) {
        carrier = c;
    }

    /** The loop's selector, opened on first use. Loop thread only. */
    public Selector selector() {
        Selector s = selector;
        if (s == null) {
            try {
                s = Selector.open();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot open a selector", e);
            }
            initJdkPoller();
            selector = s;
        }
        return s;
    }

    private static volatile boolean jdkPollerReady;

    /**
     * Initialises the JDK's poller for virtual threads now, while a file descriptor can be had, and
     * on a platform thread. A virtual thread that blocks in {@link Selector#select} or on a socket
     * parks on that poller, which the JDK creates (with epoll descriptors of its own) on first use;
     * if that first use comes when the process has run out of descriptors (a server flooded with
     * connections), its initialisation fails for good, and every later select of every virtual
     * thread throws {@link NoClassDefFoundError}. It is started from a platform thread of its own
     * because its sub-pollers are virtual threads, and a virtual thread inherits the scheduler of
     * the virtual thread that starts it: started inside a task of a dedicated loop, they would run
     * only on that loop's single carrier, and every blocking socket call of every virtual thread in
     * the process would then wait on that loop (for ever, once it closed). Initialising a class
     * needs no access to its package. Best effort: on another JDK the class may not exist, and
     * nothing is lost. Idempotent and cheap after the first call.
     */
    public static void initJdkPoller() {
        if (jdkPollerReady) {
            return;
        }
        synchronized (ParkPoller.class) {
            if (jdkPollerReady) {
                return;
            }
            jdkPollerReady = true;
            Runnable init = () -> {
                try {
                    Class.forName("sun.nio.ch.Poller", true, null);
                } catch (Throwable absentOrFailed) {
                    // not this JDK's design, or no descriptor even now: the loop reports a failing select
                }
            };
            Thread t;
            try {
                t = new Thread(init, "jasyncio-poller-init");
                t.setDaemon(true);
                t.start();
            } catch (Throwable noThread) {
                init.run(); // no thread to be had: at least initialise it
                return;
            }
            boolean interrupted = false;
            while (true) {
                try {
                    t.join();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** True once a selector was opened. */
    public boolean hasSelector() {
        return selector != null;
    }

    /**
     * Sleeps at most {@code timeoutNanos} (forever if negative) unless woken; with a selector,
     * hands each ready key to {@code onReady}.
     *
     * @param timeoutNanos the longest sleep in nanoseconds; negative means no limit, 0 only polls
     * @param onReady receives the selected keys
     */
    public void poll(long timeoutNanos, Consumer<SelectionKey> onReady) {
        Selector s = selector;
        if (s != null) {
            select(s, timeoutNanos, onReady);
            return;
        }
        if (timeoutNanos == 0) {
            wakeupPending = false;
            return;
        }
        Thread me = Thread.currentThread();
        // An interrupt belongs to the task whose thread is driving the loop: set it aside while
        // sleeping (or park would return at once, again and again), and restore it after.
        boolean interrupted = Thread.interrupted();
        sleeper = me;
        if (!wakeupPending) {
            if (timeoutNanos < 0) {
                LockSupport.park(this);
            } else {
                LockSupport.parkNanos(this, timeoutNanos);
            }
        }
        sleeper = null;
        wakeupPending = false;
        interrupted |= Thread.interrupted();
        if (interrupted) {
            me.interrupt();
        }
    }

    private void select(Selector s, long timeoutNanos, Consumer<SelectionKey> onReady) {
        try {
            if (timeoutNanos == 0) {
                wakeupPending = false;
                s.selectNow(onReady);
                return;
            }
            // Announce the sleep before looking at the flag; wakeup() sets the flag before looking
            // at the announcement. One of the two sees the other, so no wake-up is lost.
            selecting = true;
            if (wakeupPending) {
                selecting = false;
                wakeupPending = false;
                s.selectNow(onReady);
                return;
            }
            // Selector.select is interruptible: an interrupt meant for the task driving the loop
            // would end every select at once. Set it aside, as for park.
            boolean interrupted = Thread.interrupted();
            try {
                // select() takes milliseconds; round up so a timer is never found early.
                long ms = timeoutNanos < 0 ? -1 : Math.max(1, (timeoutNanos + 999_999) / 1_000_000);
                LoopCarrier c = carrier;
                if (c != null && c.canSelectFor()) {
                    c.selectFor(s, ms, onReady);
                } else if (ms < 0) {
                    s.select(onReady);
                } else {
                    s.select(onReady, ms);
                }
            } finally {
                selecting = false;
                wakeupPending = false;
                if (interrupted | Thread.interrupted()) {
                    Thread.currentThread().interrupt();
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("select failed", e);
        }
    }

    /** Ends the current or the next {@link #poll}. Safe from any thread. */
    public void wakeup() {
        wakeupPending = true;
        if (selecting) {
            Selector s = selector;
            if (s != null) {
                s.wakeup();
            }
            return;
        }
        Thread t = sleeper;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    /** Closes the selector, if any (the loop is closing). */
    public void close() {
        Selector s = selector;
        if (s != null) {
            try {
                s.close();
            } catch (IOException ignored) {
                // nothing left to release
            }
        }
    }
}
