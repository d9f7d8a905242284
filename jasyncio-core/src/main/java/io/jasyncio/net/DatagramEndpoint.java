package io.jasyncio.net;

/**
 * An open datagram transport and its protocol: what
 * {@link io.jasyncio.EventLoop#createDatagramEndpoint} returns.
 *
 * @param transport the endpoint's transport
 * @param protocol the protocol the factory made for it
 * @param <P> the protocol's type
 */
public record DatagramEndpoint<P extends DatagramProtocol>(DatagramTransport transport, P protocol) {}
