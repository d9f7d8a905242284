package io.jasyncio.subprocess;

import io.jasyncio.EventLoop;
import io.jasyncio.ExceptionContext;
import io.jasyncio.LoopClock;
import io.jasyncio.Runner;
import io.jasyncio.VirtualClock;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** Runs test bodies on fresh loops; a call to the exception handler fails the test. */
final class Procs {
    private Procs() {}

    /** Runs {@code body} as the main task of a new loop on the system clock (children run in real time). */
    static <T> T run(Callable<T> body) {
        return run(LoopClock.system(), body);
    }

    /** Runs {@code body} on a loop with virtual time (autojump). */
    static <T> T runVirtual(Callable<T> body) {
        return run(new VirtualClock(), body);
    }

    static <T> T run(LoopClock clock, Callable<T> body) {
        List<ExceptionContext> errors = new ArrayList<>();
        T result;
        try (Runner r = new Runner(() -> {
            EventLoop l = EventLoop.builder().clock(clock).build();
            l.setExceptionHandler((loop, ctx) -> {
                synchronized (errors) {
                    errors.add(ctx);
                }
            });
            return l;
        })) {
            result = r.run(body);
        }
        synchronized (errors) {
            if (!errors.isEmpty()) {
                throw new AssertionError("unexpected calls to the exception handler: " + errors);
            }
        }
        return result;
    }

    /** Whether {@code pid} is gone: no such process, or (never, since the JDK reaps) a zombie. */
    static String state(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            return stat.substring(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
        } catch (IOException e) {
            return "gone";
        }
    }

    /** Waits up to {@code seconds} of real time for {@code pid} to disappear; returns its last state. */
    static String awaitGone(long pid, double seconds) throws InterruptedException {
        long end = System.nanoTime() + (long) (seconds * 1e9);
        String s = state(pid);
        while (!s.equals("gone") && System.nanoTime() < end) {
            Thread.sleep(20);
            s = state(pid);
        }
        return s;
    }
}
