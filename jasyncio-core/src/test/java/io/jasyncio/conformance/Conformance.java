package io.jasyncio.conformance;

import io.jasyncio.Asyncio;
import io.jasyncio.CheckedRunnable;
import io.jasyncio.EventLoop;
import io.jasyncio.VirtualClock;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * What the conformance suites share: a loop on virtual time per test, bounded so that a hang (a
 * lost wake-up) fails at once as a timeout instead of holding the build; and the
 * {@code expect(n)}/{@code finish(n)} ordering helper.
 */
final class Conformance {
    private Conformance() {
    }

    /** Runs {@code body} as the main task of a fresh loop on virtual time, for at most 60 virtual seconds. */
    static void run(CheckedRunnable body) {
        run(60, body);
    }

    /** Runs {@code body} as the main task of a fresh loop on virtual time, for at most {@code seconds} virtual seconds. */
    static void run(double seconds, CheckedRunnable body) {
        Asyncio.run(EventLoop.builder().clock(new VirtualClock()), () -> {
            Asyncio.timeout(seconds).run(() -> {
                body.run();
                return null;
            });
            return null;
        });
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
