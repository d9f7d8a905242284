package io.jasyncio.net;

/**
 * A connected transport and its protocol: what {@link io.jasyncio.EventLoop#createConnection}
 * returns (asyncio's {@code (transport, protocol)} pair).
 *
 * @param transport the connection's transport
 * @param protocol the protocol the factory made for it
 * @param <P> the protocol's type
 */
public record Endpoint<P extends StreamProtocol>(Transport transport, P protocol) {}
