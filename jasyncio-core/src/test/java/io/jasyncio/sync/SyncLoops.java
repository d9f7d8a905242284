package io.jasyncio.sync;

import io.jasyncio.Asyncio;
import io.jasyncio.CheckedRunnable;
import io.jasyncio.EventLoop;
import io.jasyncio.VirtualClock;

/** Runs a test body as the main task of a fresh loop on virtual time. */
final class SyncLoops {
    private SyncLoops() {
    }

    static void run(CheckedRunnable body) {
        Asyncio.run(EventLoop.builder().clock(new VirtualClock()), () -> {
            body.run();
            return null;
        });
    }
}
