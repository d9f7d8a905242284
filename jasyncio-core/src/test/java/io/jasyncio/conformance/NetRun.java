package io.jasyncio.conformance;

import io.jasyncio.Asyncio;
import io.jasyncio.CheckedRunnable;
import io.jasyncio.EventLoop;
import io.jasyncio.ExceptionContext;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs a loop-and-networking conformance case as the main task of a fresh debug loop on the real
 * clock (the cases use real sockets and processes, whose timing virtual time cannot drive).
 */
final class NetRun {
    private NetRun() {}

    /** Runs {@code body}; any call to the exception handler fails the case. */
    static void run(CheckedRunnable body) {
        List<ExceptionContext> errors = runCollecting(body);
        if (!errors.isEmpty()) {
            throw new AssertionError("unexpected calls to the exception handler: " + errors);
        }
    }

    /** Runs {@code body} and returns what reached the exception handler (the loop closed). */
    static List<ExceptionContext> runCollecting(CheckedRunnable body) {
        List<ExceptionContext> errors = new ArrayList<>();
        EventLoop loop = EventLoop.builder().debug(true).build();
        loop.setExceptionHandler((l, ctx) -> {
            synchronized (errors) {
                errors.add(ctx);
            }
        });
        try {
            loop.runUntilComplete(() -> {
                body.run();
                return null;
            });
        } finally {
            loop.close();
        }
        synchronized (errors) {
            return List.copyOf(errors);
        }
    }

    static EventLoop loop() {
        return Asyncio.getRunningLoop();
    }
}
