package io.jasyncio.net;

/**
 * What {@link Protocol} and {@link BufferedProtocol} share: the callbacks of a byte-stream
 * connection. Implement one of those two, not this. asyncio has no such type: these are the methods
 * its {@code Protocol} and {@code BufferedProtocol} have in common.
 */
public interface StreamProtocol extends BaseProtocol {
    /**
     * The connection is up. Called once, before any data.
     *
     * @param transport the connection's transport
     */
    default void connectionMade(Transport transport) {}

    /**
     * The peer closed its sending side (it may still read).
     *
     * @return true to keep the transport open (to go on writing: a half-close), false to let the
     *     transport close itself
     */
    default boolean eofReceived() {
        return false;
    }
}
