package io.jasyncio.conformance;

import static io.jasyncio.conformance.NetRun.loop;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jasyncio.AsyncTimeoutException;
import io.jasyncio.Asyncio;
import io.jasyncio.net.ConnectOptions;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.concurrent.CompletableFuture;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * How a TLS connection ends when its handshake does not complete, as CPython's {@code test_ssl}
 * and {@code test_sslproto} pin it; each case is named after the CPython test it mirrors. The peer
 * is a plain TCP socket on a thread of its own that never answers in TLS.
 */
@Timeout(60)
class SslConformanceTest {

    /** A one-connection TCP server on its own thread; says how the client's side of it ended. */
    static final class SilentServer implements AutoCloseable {
        final ServerSocket listener;
        final CompletableFuture<String> ending = new CompletableFuture<>();

        /**
         * @param halfCloseAfterFirstRead shut down our sending side once the ClientHello is in,
         *     then report how many bytes still came before the client's EOF
         */
        SilentServer(boolean halfCloseAfterFirstRead) throws IOException {
            listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
            Thread.ofPlatform().daemon().name("silent-tls-peer").start(() -> {
                try (Socket s = listener.accept()) {
                    InputStream in = s.getInputStream();
                    byte[] buf = new byte[64 * 1024];
                    if (halfCloseAfterFirstRead) {
                        if (in.read(buf) <= 0) {
                            ending.complete("no ClientHello");
                            return;
                        }
                        s.shutdownOutput();
                    }
                    long after = 0;
                    for (int n; (n = in.read(buf)) > 0;) {
                        after += n;
                    }
                    ending.complete(halfCloseAfterFirstRead ? "eof after " + after + " more bytes" : "eof");
                } catch (IOException e) {
                    ending.complete("failed: " + e);
                }
            });
        }

        int port() {
            return listener.getLocalPort();
        }

        String awaitEnding() {
            return Asyncio.waitFor(loop().wrapFuture(ending), 10);
        }

        @Override
        public void close() throws IOException {
            listener.close();
        }
    }

    static ConnectOptions tls(double handshakeTimeout) throws Exception {
        return ConnectOptions.builder().ssl(SSLContext.getDefault()).serverHostname("")
                .sslHandshakeTimeout(handshakeTimeout).build();
    }

    @Test
    void test_handshake_timeout() {
        // A connect cancelled (by a timeout around it) during the handshake closes the connection:
        // the peer reads an end of stream, not a reset.
        NetRun.run(() -> {
            try (SilentServer srv = new SilentServer(false)) {
                ConnectOptions o = tls(10);
                assertThrows(AsyncTimeoutException.class, () -> Asyncio.waitFor(Asyncio.createTask(
                        () -> loop().createConnection(EventsConformanceTest.Idle::new, "127.0.0.1", srv.port(), o)), 0.5));
                assertEquals("eof", srv.awaitEnding());
            }
        });
    }

    @Test
    void test_create_connection_ssl_slow_handshake() {
        // The handshake's own time limit: the same clean close.
        NetRun.run(() -> {
            try (SilentServer srv = new SilentServer(false)) {
                ConnectOptions o = tls(0.5);
                SocketTimeoutException e = assertThrows(SocketTimeoutException.class,
                        () -> loop().createConnection(EventsConformanceTest.Idle::new, "127.0.0.1", srv.port(), o));
                assertTrue(e.getMessage().contains("timed out"), e.getMessage());
                assertEquals("eof", srv.awaitEnding());
            }
        });
    }

    @Test
    void test_ssl_handshake_connection_lost() {
        // The peer shuts its side down in plain TCP during the handshake: the connect fails, and
        // the peer is answered with an end of stream, not with a TLS record.
        NetRun.run(() -> {
            try (SilentServer srv = new SilentServer(true)) {
                ConnectOptions o = tls(10);
                assertThrows(SSLHandshakeException.class,
                        () -> loop().createConnection(EventsConformanceTest.Idle::new, "127.0.0.1", srv.port(), o));
                assertEquals("eof after 0 more bytes", srv.awaitEnding());
            }
        });
    }
}
