package io.jasyncio.streams;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** {@code expect(n)} must be called with 1, 2, 3, ... in turn: the exact order of interleaved steps. */
final class Order {
    private int last;

    void expect(int n) {
        assertEquals(last + 1, n, "step " + n + " ran out of order (last step was " + last + ")");
        last = n;
    }

    void finish(int n) {
        expect(n);
    }
}
