package io.jasyncio;

import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.LockSupport;

/**
 * Debug mode's watchdog: one daemon thread for the JVM that looks at every running debug loop and
 * reports a step still holding the loop past its slow-callback duration, with the live stack of
 * the thread holding it. It runs on its own platform thread, so it reports a loop that a blocking
 * call has frozen.
 */
final class Watchdog {
    private static final CopyOnWriteArrayList<EventLoop> LOOPS = new CopyOnWriteArrayList<>();
    private static volatile Thread thread;

    private Watchdog() {
    }

    /** Starts watching {@code loop} (again: watching twice is watching once), at once. */
    static void watch(EventLoop loop) {
        LOOPS.addIfAbsent(loop);
        if (thread == null) {
            start();
        } else {
            wake();
        }
    }

    /** Makes the watchdog look now and work out its period afresh (a loop came, a threshold changed). */
    static void wake() {
        Thread t = thread;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    static void unwatch(EventLoop loop) {
        LOOPS.remove(loop);
    }

    private static synchronized void start() {
        if (thread != null) {
            return;
        }
        Thread t = Thread.ofPlatform().daemon().name("jasyncio-watchdog").unstarted(Watchdog::run);
        thread = t;
        t.start();
    }

    /**
     * Looks at every watched loop each quarter of its slow-callback duration (at most every 5 ms,
     * at least every 250 ms); with nothing to watch it sleeps until {@link #watch} wakes it, so a
     * loop that starts after an idle spell is watched from its first step.
     */
    private static void run() {
        for (;;) {
            if (LOOPS.isEmpty()) {
                LockSupport.park();
                continue;
            }
            long period = 250_000_000L;
            for (EventLoop l : LOOPS) {
                try {
                    period = Math.min(period, Math.max(5_000_000L, l.slowCallbackNanos() / 4));
                    l.watchdogCheck();
                } catch (Throwable e) {
                    // A failed look (no memory for a report) must not end the watchdog for every loop.
                }
            }
            LockSupport.parkNanos(period);
        }
    }
}
