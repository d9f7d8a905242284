package io.jasyncio.net;

import java.nio.ByteBuffer;

/**
 * The sending half of a transport: writes never block nor wait; what the kernel does not take at
 * once is buffered, and the protocol is told to pause ({@link BaseProtocol#pauseWriting}) when
 * the buffer grows past the high-water mark and to resume once it drains to the low-water mark
 * (asyncio's {@code WriteTransport}).
 */
public interface WriteTransport extends BaseTransport {
    /** Default high-water mark of the write buffer: 64 KiB, as asyncio. */
    int DEFAULT_HIGH_WATER = 64 * 1024;

    /**
     * Sends the bytes, buffering what cannot be sent now. The array is not kept: the caller may
     * reuse it as soon as this returns.
     *
     * @param data the bytes
     * @throws IllegalStateException after {@link #writeEof}
     */
    default void write(byte[] data) {
        write(data, 0, data.length);
    }

    /**
     * Sends {@code len} bytes of {@code data} from {@code off}; see {@link #write(byte[])}.
     *
     * @param data the array
     * @param off the first byte
     * @param len how many bytes
     */
    void write(byte[] data, int off, int len);

    /**
     * Sends the buffer's remaining bytes and advances its position to its limit; the buffer is not
     * kept.
     *
     * @param data the bytes
     */
    void write(ByteBuffer data);

    /**
     * Writes each array in turn, as one send where possible.
     *
     * @param chunks the arrays
     */
    default void writelines(Iterable<byte[]> chunks) {
        for (byte[] c : chunks) {
            write(c);
        }
    }

    /**
     * Closes the sending direction once buffered data is sent (a TCP FIN: a half-close). The peer
     * still may send. Not every transport can: see {@link #canWriteEof}.
     *
     * @throws UnsupportedOperationException if {@link #canWriteEof} is false
     */
    void writeEof();

    /** {@return true if {@link #writeEof} is supported (TCP and Unix sockets, not TLS)} */
    boolean canWriteEof();

    /**
     * Closes the transport at once: buffered data is dropped and the protocol's
     * {@link BaseProtocol#connectionLost} is called with {@code null}. On TCP the peer gets a reset.
     */
    void abort();

    /** {@return the bytes buffered and not yet handed to the kernel} */
    int getWriteBufferSize();

    /**
     * Sets the water marks of write flow control.
     *
     * @param high pause writing above this many buffered bytes; negative for the default
     *     ({@value #DEFAULT_HIGH_WATER}, or 4 × {@code low} if only {@code low} is given)
     * @param low resume writing at or below this; negative for the default ({@code high / 4})
     * @throws IllegalArgumentException if {@code low > high}
     */
    void setWriteBufferLimits(int high, int low);

    /** {@return the water marks in effect} */
    WriteBufferLimits getWriteBufferLimits();

    /**
     * The water marks of write flow control.
     *
     * @param low resume at or below this many buffered bytes
     * @param high pause above this many
     */
    record WriteBufferLimits(int low, int high) {}
}
