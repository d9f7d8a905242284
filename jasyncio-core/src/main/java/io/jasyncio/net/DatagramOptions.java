package io.jasyncio.net;

import java.net.ProtocolFamily;
import java.net.SocketAddress;

/**
 * How {@link io.jasyncio.EventLoop#createDatagramEndpoint} opens a UDP endpoint: the keyword
 * arguments of asyncio's {@code create_datagram_endpoint}. asyncio dropped {@code reuse_address}
 * for UDP (it let other processes steal datagrams); so does this.
 *
 * @param localAddress bind here; null to let the system choose (or not bind, with a remote)
 * @param remoteAddress connect to this peer (only its datagrams are received, and
 *     {@link DatagramTransport#sendto(byte[])} needs no address); null for none. May be unresolved
 *     (it is then resolved off the loop). Must be of the local address's family.
 * @param family the family when neither address says it; null for IPv4 unless an address is IPv6
 * @param reusePort SO_REUSEPORT
 * @param allowBroadcast SO_BROADCAST; the socket is then not connected to the remote address,
 *     which is only the default destination (datagrams from anyone are received), as in asyncio
 */
public record DatagramOptions(SocketAddress localAddress, SocketAddress remoteAddress, ProtocolFamily family,
        boolean reusePort, boolean allowBroadcast) {

    /** Checks that there is somewhere to bind or connect. */
    public DatagramOptions {
        if (localAddress == null && remoteAddress == null && family == null) {
            throw new IllegalArgumentException("give a local address, a remote address, or a family");
        }
    }

    /**
     * Bound to {@code local}.
     *
     * @param local the local address
     * @return the options
     */
    public static DatagramOptions local(SocketAddress local) {
        return new DatagramOptions(local, null, null, false, false);
    }

    /**
     * Connected to {@code remote}.
     *
     * @param remote the peer's address
     * @return the options
     */
    public static DatagramOptions remote(SocketAddress remote) {
        return new DatagramOptions(null, remote, null, false, false);
    }

    /**
     * These options with SO_REUSEPORT set.
     *
     * @return the options
     */
    public DatagramOptions withReusePort() {
        return new DatagramOptions(localAddress, remoteAddress, family, true, allowBroadcast);
    }

    /**
     * These options with SO_BROADCAST set.
     *
     * @return the options
     */
    public DatagramOptions withBroadcast() {
        return new DatagramOptions(localAddress, remoteAddress, family, reusePort, true);
    }
}
