package io.jasyncio.streams;

import java.io.EOFException;

/**
 * The stream ended before a read was satisfied (asyncio's {@code IncompleteReadError}): thrown by
 * {@link StreamReader#readExactly} and {@link StreamReader#readUntil}. It carries the bytes that did
 * arrive, which the reader no longer holds.
 */
public final class IncompleteReadException extends EOFException {
    /** Version of the serialized form. */
    private static final long serialVersionUID = 1L;

    /** The bytes that did arrive. */
    private final byte[] partial;
    /** How many bytes were asked for; -1 for a separator. */
    private final int expected;

    /**
     * The stream ended after {@code partial} of the bytes asked for.
     *
     * @param partial the bytes read before the end of the stream (kept, not copied)
     * @param expected how many bytes were asked for, or -1 when a separator was
     */
    public IncompleteReadException(byte[] partial, int expected) {
        super(partial.length + " bytes read on a total of "
                + (expected < 0 ? "undefined" : Integer.toString(expected)) + " expected bytes");
        this.partial = partial;
        this.expected = expected;
    }

    /** {@return the bytes that arrived before the end of the stream (possibly empty)} */
    public byte[] partial() {
        return partial;
    }

    /** {@return how many bytes were asked for; -1 when the read was for a separator (asyncio's {@code None})} */
    public int expected() {
        return expected;
    }
}
