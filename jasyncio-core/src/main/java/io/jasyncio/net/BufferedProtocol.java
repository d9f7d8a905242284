package io.jasyncio.net;

import java.nio.ByteBuffer;

/**
 * A stream protocol that gives the transport the buffer to read into, saving a copy per read
 * (asyncio's {@code BufferedProtocol}).
 */
public interface BufferedProtocol extends StreamProtocol {
    /**
     * The buffer the next read fills, from its position up to its limit.
     *
     * @param sizeHint a suggested size; -1 for no preference
     * @return a buffer with at least one byte remaining
     */
    ByteBuffer getBuffer(int sizeHint);

    /**
     * The last buffer from {@link #getBuffer} received {@code nbytes} bytes at its old position;
     * its position has been advanced by as much.
     *
     * @param nbytes how many bytes were read, at least 1
     */
    void bufferUpdated(int nbytes);
}
