package io.jasyncio;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** Runs test bodies on fresh loops and records what reaches the exception handler. */
final class Loops {
    private Loops() {
    }

    /** What the exception handler received during {@link #run}. */
    static final class Errors {
        final List<ExceptionContext> contexts = new ArrayList<>();

        synchronized void add(ExceptionContext c) {
            contexts.add(c);
        }

        synchronized List<ExceptionContext> all() {
            return List.copyOf(contexts);
        }
    }

    /**
     * Runs {@code body} as the main task of a new loop on virtual time (autojump), so that timing
     * is exact and sleeps cost nothing; the handler calls go to {@code errors}.
     */
    static <T> T run(Errors errors, Callable<T> body) {
        try (Runner r = new Runner(() -> {
            EventLoop l = EventLoop.builder().clock(new VirtualClock()).build();
            l.setExceptionHandler((loop, ctx) -> errors.add(ctx));
            return l;
        })) {
            return r.run(body);
        }
    }

    /** Runs {@code body} as the main task of a new loop; exception-handler calls fail the test. */
    static <T> T run(Callable<T> body) {
        Errors errors = new Errors();
        T result = run(errors, body);
        if (!errors.all().isEmpty()) {
            throw new AssertionError("unexpected calls to the exception handler: " + errors.all());
        }
        return result;
    }

    static void run(CheckedRunnable body) {
        run(EventLoop.asCallable(body));
    }

    /** Like {@link #run(Callable)} on the system clock, for tests about real threads or the GC. */
    static <T> T runRealTime(Errors errors, Callable<T> body) {
        try (Runner r = new Runner(() -> {
            EventLoop l = EventLoop.newEventLoop();
            l.setExceptionHandler((loop, ctx) -> errors.add(ctx));
            return l;
        })) {
            return r.run(body);
        }
    }

    static void runRealTime(CheckedRunnable body) {
        Errors errors = new Errors();
        runRealTime(errors, EventLoop.asCallable(body));
        if (!errors.all().isEmpty()) {
            throw new AssertionError("unexpected calls to the exception handler: " + errors.all());
        }
    }
}
