package io.jasyncio.net;

import java.net.SocketAddress;
import java.util.List;

/**
 * A listening server (asyncio's {@code Server}): accepts connections on one or more sockets and
 * gives each a transport and a fresh protocol. Call on its loop only.
 *
 * <p>{@code try (Server s = ...) { ... }} closes the listening sockets on exit, as
 * {@link #close()} does; to also wait for the connections, call {@link #waitClosed()}.
 */
public interface Server extends AutoCloseable {
    /**
     * Stops listening: the listening sockets close, no new connection is accepted. Connections
     * already made stay open (see {@link #closeClients}, {@link #abortClients}). Does not wait.
     * Idempotent.
     */
    @Override
    void close();

    /**
     * Waits until the server is closed and every connection it accepted is gone. Returns at once
     * if the server is closed and has no connection left.
     *
     * <p>A cancellation point: cancelling the wait leaves the server as it was.
     */
    void waitClosed();

    /** Starts accepting, if created with {@code startServing(false)}. Idempotent. */
    void startServing();

    /**
     * Accepts connections until cancelled, then closes the server and waits for it as
     * {@link #waitClosed()} does. A cancellation point (that is how it ends).
     *
     * @throws IllegalStateException if the server is already closed or another task serves it
     */
    void serveForever();

    /** {@return true while the server accepts connections} */
    boolean isServing();

    /** {@return the local addresses it listens on (resolved: a port of 0 shows as the one chosen)} */
    List<SocketAddress> sockets();

    /** Closes every connection it accepted that is still open (buffered data is sent first). */
    void closeClients();

    /** Aborts every connection it accepted that is still open (buffered data is dropped). */
    void abortClients();

    /** {@return how many accepted connections are open} */
    int activeConnections();

    /**
     * The port of the first listening socket: handy after binding port 0.
     *
     * @return the port, or -1 for a Unix socket
     */
    default int port() {
        for (SocketAddress a : sockets()) {
            if (a instanceof java.net.InetSocketAddress i) {
                return i.getPort();
            }
        }
        return -1;
    }
}
