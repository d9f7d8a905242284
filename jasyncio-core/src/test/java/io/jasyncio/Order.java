package io.jasyncio;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Asserts the exact order of interleaved steps, in the style of kotlinx.coroutines' tests:
 * {@code expect(n)} must be called with 1, 2, 3, ... in turn, and {@code finish(n)} closes the
 * sequence. Steps run on one loop, one at a time, so no synchronisation is needed.
 */
final class Order {
    private int last;

    void expect(int n) {
        assertEquals(last + 1, n, "step " + n + " ran out of order (last step was " + last + ")");
        last = n;
    }

    void finish(int n) {
        expect(n);
    }

    int last() {
        return last;
    }
}
