package io.jasyncio.internal.net;

import io.jasyncio.AsyncFuture;
import io.jasyncio.EventLoop;
import io.jasyncio.Handle;
import io.jasyncio.net.StreamProtocol;
import io.jasyncio.net.Transport;
import java.io.IOException;
import java.util.Objects;
import javax.net.ssl.SSLContext;

/**
 * TLS over a transport, through {@link javax.net.ssl.SSLEngine}: the two ways in. {@link #layer}
 * makes the protocol to give a fresh raw transport (servers, {@code createConnection});
 * {@link #startTls} upgrades a transport that is already open (asyncio's {@code start_tls}).
 * The state machine itself is {@link SslLayer}.
 */
public final class Tls {
    private Tls() {}

    /**
     * Upgrades {@code raw} to TLS and waits for the handshake; mirrors asyncio's
     * {@code loop.start_tls}. Reading on {@code raw} is paused while its protocol is swapped for
     * the TLS layer, so no byte of the peer's first flight reaches the old protocol. As in asyncio,
     * {@code app} is not told {@code connectionMade}: it already had it from the plain connection,
     * and gets the new transport as this method's result.
     *
     * <p>A cancellation point: if cancelled, the handshake is abandoned and {@code raw} is aborted.
     *
     * @param loop the running loop (this must be called in one of its tasks)
     * @param raw an open transport, usually TCP
     * @param app the protocol that receives the plaintext from now on
     * @param ctx where the engine comes from
     * @param serverSide act as the TLS server
     * @param serverHostname client: the name to verify and send as SNI; empty for neither. Must
     *     not be null on the client side
     * @param handshakeTimeout seconds the handshake may take
     * @param shutdownTimeout seconds a later close may wait for the peer's close_notify
     * @return the TLS transport, carrying plaintext to and from {@code app}
     * @throws javax.net.ssl.SSLHandshakeException if the handshake fails (the message says why:
     *     the peer's alert, an untrusted or mismatched certificate, the connection lost)
     * @throws java.net.SocketTimeoutException if the handshake takes longer than
     *     {@code handshakeTimeout}
     * @throws IOException if {@code raw} is already closing
     */
    public static Transport startTls(EventLoop loop, Transport raw, StreamProtocol app, SSLContext ctx,
            boolean serverSide, String serverHostname, double handshakeTimeout, double shutdownTimeout)
            throws IOException {
        Objects.requireNonNull(raw, "transport");
        if (raw.isClosing()) {
            throw new IOException("cannot start TLS: the transport is closing");
        }
        AsyncFuture<Transport> waiter = loop.createFuture();
        waiter.describedAs("TLS handshake");
        SslLayer layer = new SslLayer(loop, app, ctx, serverSide, serverHostname, handshakeTimeout,
                shutdownTimeout, waiter, false);
        // Pause first, so that nothing reaches the layer before its connectionMade (asyncio does the
        // same, for the same reason).
        raw.pauseReading();
        raw.setProtocol(layer);
        Handle made = loop.callSoon(() -> layer.connectionMade(raw));
        Handle resume = loop.callSoon(raw::resumeReading);
        try {
            return waiter.await();
        } catch (Throwable t) {
            made.cancel();
            resume.cancel();
            layer.abandonHandshake(raw);
            throw t;
        }
    }

    /**
     * The TLS layer for a raw transport about to be made: give it to the raw transport as its
     * protocol. On the raw {@code connectionMade} it starts the handshake; when that completes it
     * calls {@code app.connectionMade(tlsTransport)} and completes {@code waiter} with the TLS
     * transport. If the handshake fails, the raw transport is closed and the waiter completes
     * with the exception ({@link javax.net.ssl.SSLHandshakeException},
     * {@link java.net.SocketTimeoutException}); with no waiter (a server's accepted connection),
     * the failure goes to the loop's exception handler in debug mode only, as asyncio does.
     *
     * @param loop the loop the raw transport runs on
     * @param app the application's protocol
     * @param ctx where the engine comes from
     * @param serverSide act as the TLS server
     * @param serverHostname client: the name to verify and send as SNI, empty for neither, not
     *     null; ignored on the server side
     * @param handshakeTimeout seconds the handshake may take
     * @param shutdownTimeout seconds a close may wait for the peer's close_notify
     * @param waiterOrNull completed with the TLS transport, or with the failure; null for none
     * @return the layer, a {@link io.jasyncio.net.BufferedProtocol} (and a
     *     {@link io.jasyncio.net.Protocol})
     */
    public static SslLayer layer(EventLoop loop, StreamProtocol app, SSLContext ctx, boolean serverSide,
            String serverHostname, double handshakeTimeout, double shutdownTimeout,
            AsyncFuture<Transport> waiterOrNull) {
        return new SslLayer(loop, app, ctx, serverSide, serverHostname, handshakeTimeout, shutdownTimeout,
                waiterOrNull, true);
    }
}
