package io.jasyncio.internal.net;

import io.jasyncio.EventLoop;
import io.jasyncio.net.StreamProtocol;
import io.jasyncio.net.Transport;
import java.io.IOException;
import javax.net.ssl.SSLContext;

/** TLS over a transport, through {@link javax.net.ssl.SSLEngine}. */
public final class Tls {
    private Tls() {}

    /** The TLS protocol layer that sits on a raw transport; see the design note. */
    public static io.jasyncio.net.StreamProtocol layer(EventLoop loop, StreamProtocol app, SSLContext ctx,
            boolean serverSide, String serverHostname, double handshakeTimeout, double shutdownTimeout,
            io.jasyncio.AsyncFuture<Transport> waiter) {
        throw new UnsupportedOperationException("TLS lands with issue 5");
    }

    public static Transport startTls(EventLoop loop, Transport transport, StreamProtocol protocol, SSLContext context,
            boolean serverSide, String serverHostname, double handshakeTimeout, double shutdownTimeout)
            throws IOException {
        throw new UnsupportedOperationException("TLS lands with issue 5");
    }
}
