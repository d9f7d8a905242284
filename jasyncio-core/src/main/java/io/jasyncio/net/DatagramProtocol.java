package io.jasyncio.net;

import java.net.SocketAddress;

/** Callbacks of a datagram endpoint (asyncio's {@code DatagramProtocol}). */
public interface DatagramProtocol extends BaseProtocol {
    /**
     * The endpoint is ready.
     *
     * @param transport the endpoint's transport
     */
    default void connectionMade(DatagramTransport transport) {}

    /**
     * A datagram arrived.
     *
     * @param data its payload (possibly empty)
     * @param address who sent it
     */
    default void datagramReceived(byte[] data, SocketAddress address) {}

    /**
     * A send or receive failed (for example ICMP port unreachable on a connected endpoint). The
     * endpoint stays open.
     *
     * @param exc what failed
     */
    default void errorReceived(Exception exc) {}
}
