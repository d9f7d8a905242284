package io.jasyncio;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.LockSupport;

/**
 * Debug mode's watchdog: one daemon thread for the JVM that looks at every running debug loop and
 * reports a step still holding the loop past its slow-callback duration, with the live stack of
 * the thread holding it. It runs on its own platform thread, so it reports a loop that a blocking
 * call has frozen.
 */
final class Watchdog {
    private static final List<EventLoop> LOOPS = new CopyOnWriteArrayList<>();
    private static volatile Thread thread;

    private Watchdog() {
    }

    static void watch(EventLoop loop) {
        LOOPS.add(loop);
        if (thread == null) {
            start();
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

    private static void run() {
        for (;;) {
            long period = 250_000_000L;
            for (EventLoop l : LOOPS) {
                period = Math.min(period, Math.max(5_000_000L, l.slowCallbackNanos() / 4));
                l.watchdogCheck();
            }
            LockSupport.parkNanos(period);
        }
    }
}
