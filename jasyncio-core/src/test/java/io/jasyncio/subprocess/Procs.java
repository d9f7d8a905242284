package io.jasyncio.subprocess;

import io.jasyncio.Asyncio;
import io.jasyncio.EventLoop;
import io.jasyncio.ExceptionContext;
import io.jasyncio.LoopClock;
import io.jasyncio.Runner;
import io.jasyncio.VirtualClock;
import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

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

    /** Bit n - 1 of a /proc/PID/status signal mask: signal n. */
    static long bit(int signum) {
        return 1L << (signum - 1);
    }

    private static volatile List<String> defaultSignalsPrefix;

    /**
     * {@code command} started with the default action for every signal, for a test that ends a
     * child with a signal. A child inherits the signals this JVM ignores (as in CPython), and the
     * JVM keeps ignoring SIGINT, SIGTERM and SIGHUP if it started so: run as a background job of
     * a script it ignores SIGINT, under nohup SIGHUP, and a child sent one of them runs on. The
     * prefix is GNU {@code env --default-signal} (coreutils 8.31); without it the test is skipped
     * if this JVM ignores a signal in {@code sent}. Call it off the loop (it runs {@code env}
     * once), and {@link #awaitDefaultSignals} before signalling the child.
     *
     * @param sent the signals the test sends (numbers)
     */
    static List<String> withDefaultSignals(int[] sent, String... command) {
        List<String> prefix = defaultSignalsPrefix;
        if (prefix == null) {
            prefix = List.of();
            try {
                Process p = new ProcessBuilder("env", "--default-signal", "true").redirectErrorStream(true).start();
                p.getInputStream().readAllBytes();
                if (p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0) {
                    prefix = List.of("env", "--default-signal");
                }
            } catch (IOException e) {
                // no env: no prefix
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
            defaultSignalsPrefix = prefix;
        }
        if (prefix.isEmpty()) {
            long ignored = ignoredSignals(ProcessHandle.current().pid());
            for (int s : sent) {
                Assumptions.assumeTrue((ignored & bit(s)) == 0, "this JVM ignores signal " + s
                        + " and env --default-signal is missing: a child would ignore it too");
            }
        }
        List<String> all = new ArrayList<>(prefix);
        all.addAll(List.of(command));
        return all;
    }

    /** Signals 1 to 31, the standard ones; above are real-time signals, 32 and 33 glibc's own. */
    private static final long STANDARD_SIGNALS = (1L << 31) - 1;

    /**
     * Waits (in a task) until the child {@code pid} ignores no standard signal: until {@code env}
     * has reset them. A signal that arrived before would be discarded.
     */
    static void awaitDefaultSignals(long pid) {
        long end = System.nanoTime() + 10_000_000_000L;
        long ignored;
        while ((ignored = ignoredSignals(pid) & STANDARD_SIGNALS) != 0 && System.nanoTime() < end) {
            Asyncio.sleep(0.002);
        }
        if (ignored != 0) {
            throw new AssertionError("process " + pid + " still ignores signals: SigIgn " + Long.toHexString(ignored));
        }
    }

    /** The signals {@code pid} ignores, from /proc (bit n - 1 for signal n); 0 if it is gone. */
    static long ignoredSignals(long pid) {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (l.startsWith("SigIgn:")) {
                    return Long.parseUnsignedLong(l.substring(7).trim().toLowerCase(Locale.ROOT), 16);
                }
            }
        } catch (IOException e) {
            // gone, or no /proc
        }
        return 0;
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
