package io.jasyncio.net;

/**
 * A stream protocol that receives data as arrays (asyncio's {@code Protocol}). Call order:
 * {@code connectionMade}, then any number of {@code dataReceived}, then at most one
 * {@code eofReceived}, then {@code connectionLost} once.
 */
public interface Protocol extends StreamProtocol {
    /**
     * Bytes arrived. The array is the protocol's to keep; it is never reused by the transport.
     *
     * @param data the bytes, never empty
     */
    default void dataReceived(byte[] data) {}
}
