package io.jasyncio.conformance;

import io.jasyncio.Asyncio;
import io.jasyncio.CheckedRunnable;
import io.jasyncio.EventLoop;
import io.jasyncio.ExceptionContext;
import io.jasyncio.Runner;
import io.jasyncio.VirtualClock;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * What the conformance suites share (they mirror CPython's Lib/test/test_asyncio cases through
 * the public API only; each test is named after the case it pins): a fresh loop on virtual time
 * per case, bounded so that a hang (a lost wake-up) fails at once as a timeout instead of holding
 * the build; a record of what reached the exception handler; and the {@code expect(n)}/
 * {@code finish(n)} ordering helper.
 */
final class Conformance {
    private Conformance() {
    }

    /** What reached the loop's exception handler. */
    static final class Errors {
        private final List<ExceptionContext> contexts = new ArrayList<>();

        synchronized void add(ExceptionContext c) {
            contexts.add(c);
        }

        synchronized List<ExceptionContext> all() {
            return List.copyOf(contexts);
        }
    }

    /** Runs {@code body} on virtual time; handler calls go to {@code errors}. */
    static <T> T run(Errors errors, Callable<T> body) {
        return run(errors, false, body);
    }

    /**
     * Runs {@code body} on virtual time, its tasks started eagerly if {@code eager} (CPython runs
     * several suites, test_taskgroups' among them, both with and without the eager task factory).
     */
    static <T> T run(Errors errors, boolean eager, Callable<T> body) {
        try (Runner r = new Runner(() -> {
            EventLoop l = EventLoop.builder().clock(new VirtualClock()).trackUnretrieved(true)
                    .eagerTaskStart(eager).build();
            l.setExceptionHandler((loop, ctx) -> errors.add(ctx));
            return l;
        })) {
            return r.run(body);
        }
    }

    /** Runs {@code body} on virtual time; a call to the exception handler fails the test. */
    static <T> T run(Callable<T> body) {
        Errors errors = new Errors();
        T result = run(errors, body);
        if (!errors.all().isEmpty()) {
            throw new AssertionError("unexpected calls to the exception handler: " + errors.all());
        }
        return result;
    }

    /** As {@link #run(Callable)}, for at most 60 virtual seconds. */
    static void run(CheckedRunnable body) {
        run(60, body);
    }

    /** As {@link #run(Callable)}, for at most {@code seconds} virtual seconds. */
    static void run(double seconds, CheckedRunnable body) {
        run(() -> Asyncio.timeout(seconds).run(() -> {
            body.run();
            return null;
        }));
    }

    /** As {@link #run(double, CheckedRunnable)} for 60 virtual seconds, tasks started eagerly if {@code eager}. */
    static void run(boolean eager, CheckedRunnable body) {
        Errors errors = new Errors();
        run(errors, eager, () -> Asyncio.timeout(60).run(() -> {
            body.run();
            return null;
        }));
        if (!errors.all().isEmpty()) {
            throw new AssertionError("unexpected calls to the exception handler: " + errors.all());
        }
    }

    /** Like {@link #run(Errors, Callable)} on the system clock, for cases about the GC. */
    static <T> T runRealTime(Errors errors, Callable<T> body) {
        try (Runner r = new Runner(() -> {
            EventLoop l = EventLoop.newEventLoop();
            l.setExceptionHandler((loop, ctx) -> errors.add(ctx));
            return l;
        })) {
            return r.run(body);
        }
    }

    /** The depth of a throwable's chain of causes: 0 when it has none. */
    static int causeDepth(Throwable t) {
        int depth = 0;
        for (Throwable c = t.getCause(); c != null && c != t; c = c.getCause()) {
            depth++;
            t = c;
        }
        return depth;
    }

    /**
     * Asserts the exact order of interleaved steps: {@code expect(n)} must be called with 1, 2, 3,
     * ... in turn, and {@code finish(n)} closes the sequence.
     */
    static final class Order {
        private int last;

        void expect(int n) {
            assertEquals(last + 1, n, "step " + n + " ran out of order (last step was " + last + ")");
            last = n;
        }

        void finish(int n) {
            expect(n);
        }
    }
}
