package io.jasyncio.internal;

import java.util.concurrent.locks.LockSupport;

/**
 * Where an idle loop sleeps until its next timer is due or another thread wakes it. Parks the
 * sleeping thread; {@link #wakeup()} is safe from any thread and is never lost: a wake-up that
 * arrives before the loop sleeps makes the next sleep return at once.
 */
public final class ParkPoller {
    private volatile Thread sleeper;
    private volatile boolean wakeupPending;

    /**
     * Sleeps at most {@code timeoutNanos} (forever if negative) unless woken.
     *
     * @param timeoutNanos the longest sleep in nanoseconds; negative means no limit
     */
    public void poll(long timeoutNanos) {
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

    /** Clears a pending wake-up without sleeping; for iterations that do not wait. */
    public void clear() {
        wakeupPending = false;
    }

    /** Ends the current or the next {@link #poll}. Safe from any thread. */
    public void wakeup() {
        wakeupPending = true;
        Thread s = sleeper;
        if (s != null) {
            LockSupport.unpark(s);
        }
    }
}
