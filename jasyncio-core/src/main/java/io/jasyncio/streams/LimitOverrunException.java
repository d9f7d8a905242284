package io.jasyncio.streams;

import java.io.IOException;

/**
 * A read would have returned more than the reader's limit allows (asyncio's
 * {@code LimitOverrunError}). {@link StreamReader#readUntil} leaves the data in the reader, so it
 * can be read again (with {@link StreamReader#read} or {@link StreamReader#readExactly});
 * {@link StreamReader#readline} drops it, as asyncio does (see there).
 */
public final class LimitOverrunException extends IOException {
    /** Version of the serialized form. */
    private static final long serialVersionUID = 1L;

    /** How many bytes to consume to get past the overrun. */
    private final int consumed;

    /**
     * A read that would have exceeded the limit.
     *
     * @param message what overran
     * @param consumed how many bytes are to be consumed: see {@link #consumed()}
     */
    public LimitOverrunException(String message, int consumed) {
        super(message);
        this.consumed = consumed;
    }

    /**
     * {@return how many bytes to consume to get past the overrun} That is where the separator
     * starts if it was found, else how far the reader searched without finding it.
     */
    public int consumed() {
        return consumed;
    }
}
