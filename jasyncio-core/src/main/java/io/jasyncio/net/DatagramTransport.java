package io.jasyncio.net;

import java.net.SocketAddress;

/** A UDP (or Unix datagram) endpoint (asyncio's {@code DatagramTransport}). */
public interface DatagramTransport extends BaseTransport {
    /**
     * Sends one datagram; buffered if the socket cannot take it now.
     *
     * @param data the payload
     * @param address the destination, or null for the connected peer
     * @throws IllegalArgumentException if {@code address} is null and the endpoint is not
     *     connected, or it is not null and differs from the connected peer; or the datagram is
     *     empty and the endpoint connected (the JDK cannot send that: it would be lost)
     */
    void sendto(byte[] data, SocketAddress address);

    /**
     * Sends one datagram to the connected peer.
     *
     * @param data the payload
     */
    default void sendto(byte[] data) {
        sendto(data, null);
    }

    /** Closes at once, dropping buffered datagrams. */
    void abort();

    /** {@return the bytes of datagrams buffered and not yet sent} */
    int getWriteBufferSize();
}
