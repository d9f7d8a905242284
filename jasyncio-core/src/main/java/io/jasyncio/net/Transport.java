package io.jasyncio.net;

/**
 * A bidirectional byte stream: a TCP or Unix socket, a TLS session over one, a pipe pair
 * (asyncio's {@code Transport}). It delivers to one {@link StreamProtocol}, which may be swapped.
 */
public interface Transport extends ReadTransport, WriteTransport {
    /**
     * Makes {@code protocol} receive this transport's events from now on (as when a connection
     * is upgraded to TLS or handed to another layer).
     *
     * @param protocol the new protocol
     */
    void setProtocol(StreamProtocol protocol);

    /** {@return the protocol receiving this transport's events} */
    StreamProtocol getProtocol();
}
