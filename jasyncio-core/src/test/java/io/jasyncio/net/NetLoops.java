package io.jasyncio.net;

import io.jasyncio.Asyncio;
import io.jasyncio.CheckedRunnable;
import io.jasyncio.EventLoop;
import io.jasyncio.ExceptionContext;
import io.jasyncio.VirtualClock;
import java.util.ArrayList;
import java.util.List;

/** Runs a networking test as the main task of a fresh debug loop on virtual time. */
final class NetLoops {
    private NetLoops() {}

    /** Runs {@code body}; any call to the exception handler fails the test. */
    static void run(CheckedRunnable body) {
        List<ExceptionContext> errors = runCollecting(body);
        if (!errors.isEmpty()) {
            throw new AssertionError("unexpected calls to the exception handler: " + errors);
        }
    }

    /** Runs {@code body} and returns what reached the exception handler (the loop closed). */
    static List<ExceptionContext> runCollecting(CheckedRunnable body) {
        List<ExceptionContext> errors = new ArrayList<>();
        EventLoop loop = EventLoop.builder().clock(new VirtualClock()).debug(true).build();
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
