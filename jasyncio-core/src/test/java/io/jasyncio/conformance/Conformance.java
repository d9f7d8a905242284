package io.jasyncio.conformance;

import io.jasyncio.CheckedRunnable;
import io.jasyncio.EventLoop;
import io.jasyncio.ExceptionContext;
import io.jasyncio.Runner;
import io.jasyncio.VirtualClock;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * Runs a conformance case as the main task of a fresh loop, through the public API only (these
 * suites mirror CPython's Lib/test/test_asyncio cases; each test is named after the case it pins).
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
        try (Runner r = new Runner(() -> {
            EventLoop l = EventLoop.builder().clock(new VirtualClock()).trackUnretrieved(true).build();
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

    static void run(CheckedRunnable body) {
        run(() -> {
            body.run();
            return null;
        });
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
}
