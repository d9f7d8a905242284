package io.jasyncio.streams;

import io.jasyncio.CheckedRunnable;
import io.jasyncio.EventLoop;
import io.jasyncio.ExceptionContext;
import io.jasyncio.Runner;
import io.jasyncio.VirtualClock;

import java.util.ArrayList;
import java.util.List;

/** Runs a test body as the main task of a fresh loop; calls to the exception handler fail the test. */
final class StreamLoops {
    private StreamLoops() {
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

    /** On virtual time: for reader logic fed by callbacks, where sleeps cost nothing. */
    static void run(CheckedRunnable body) {
        Errors errors = new Errors();
        run(errors, true, body);
        check(errors);
    }

    /** On the system clock: for real sockets. */
    static void runReal(CheckedRunnable body) {
        Errors errors = new Errors();
        run(errors, false, body);
        check(errors);
    }

    /** On the system clock, with the handler's calls going to {@code errors}. */
    static void runReal(Errors errors, CheckedRunnable body) {
        run(errors, false, body);
    }

    private static void run(Errors errors, boolean virtual, CheckedRunnable body) {
        try (Runner r = new Runner(() -> {
            EventLoop.Builder b = EventLoop.builder();
            if (virtual) {
                b.clock(new VirtualClock());
            } else {
                b.debug(true); // reports transports and servers left open, tasks left pending
            }
            EventLoop l = b.build();
            l.setExceptionHandler((loop, ctx) -> errors.add(ctx));
            return l;
        })) {
            r.run(() -> {
                body.run();
                return null;
            });
        }
    }

    private static void check(Errors errors) {
        if (!errors.all().isEmpty()) {
            throw new AssertionError("unexpected calls to the exception handler: " + errors.all());
        }
    }
}
