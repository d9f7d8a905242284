package io.jasyncio.streams;

import io.jasyncio.net.ConnectOptions;
import io.jasyncio.net.ExtraInfo;
import io.jasyncio.net.Server;
import io.jasyncio.net.ServerOptions;
import io.jasyncio.net.WriteTransport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.InputStream;
import java.security.KeyStore;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import static io.jasyncio.streams.StreamReaderTest.b;
import static io.jasyncio.streams.StreamReaderTest.s;
import static io.jasyncio.streams.StreamSocketTest.random;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Streams over TLS: {@link StreamWriter#startTls} upgrading an open connection in place (both
 * sides swap the transport under their reader and writer), and TLS from the start through
 * {@link Streams#openConnection} / {@link Streams#startServer} options. The key store is a
 * self-signed localhost certificate (test resource {@code localhost.p12}, password "changeit"),
 * trusted by both sides. Skipped while the loop has no TLS ({@code EventLoop.startTls} throws
 * {@link UnsupportedOperationException}).
 */
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class StreamTlsTest {

    static SSLContext context() throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = StreamTlsTest.class.getResourceAsStream("localhost.p12")) {
            ks.load(in, "changeit".toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, "changeit".toCharArray());
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return ctx;
    }

    /** Echoes lines over whatever the connection is now. */
    static void echoLines(StreamReader r, StreamWriter w) throws Exception {
        for (byte[] line : r) {
            w.write(line);
            w.drain();
        }
        w.close();
    }

    @Test
    void startTlsUpgradesAnOpenConnectionOnBothSides() throws Exception {
        SSLContext ctx = context();
        boolean[] serverUpgraded = new boolean[1];
        ClientConnectedHandler handler = (r, w) -> {
            assertEquals("STARTTLS\n", s(r.readline()));
            w.write(b("GO\n"));
            try {
                w.startTls(ctx, null, 10);
            } catch (UnsupportedOperationException noTls) {
                w.close();
                return;
            }
            serverUpgraded[0] = true;
            echoLines(r, w);
        };
        StreamLoops.runReal(() -> StreamSocketTest.withServer(handler, srv -> {
            StreamConnection c = Streams.openConnection(StreamSocketTest.HOST, srv.port());
            StreamWriter w = c.writer();
            w.write(b("STARTTLS\n"));
            assertEquals("GO\n", s(c.reader().readline()));
            WriteTransport plain = w.transport();
            assertNull(w.getExtraInfo(ExtraInfo.SSL_OBJECT));
            try {
                w.startTls(ctx, "localhost", 10);
            } catch (UnsupportedOperationException noTls) {
                c.close();
                assumeTrue(false, "the loop has no TLS yet: " + noTls.getMessage());
            }
            assertNotSame(plain, w.transport());
            assertNotNull(w.getExtraInfo(ExtraInfo.SSL_OBJECT));
            assertFalse(w.canWriteEof());
            w.write(b("secret\n"));
            assertEquals("secret\n", s(c.reader().readline()));
            // Enough to pause and resume both directions through the TLS transport.
            byte[] big = random(400_000, 1);
            for (int i = 0; i < big.length; i += 1000) {
                big[i] = '\n';
            }
            w.write(big);
            w.write(b("\n"));
            w.drain();
            java.io.ByteArrayOutputStream back = new java.io.ByteArrayOutputStream();
            while (back.size() < big.length + 1) {
                back.write(c.reader().readline());
            }
            byte[] expected = java.util.Arrays.copyOf(big, big.length + 1);
            expected[big.length] = '\n';
            assertArrayEquals(expected, back.toByteArray());
            w.close();
            w.waitClosed();
            assertEquals(true, serverUpgraded[0]);
        }));
    }

    @Test
    void tlsFromTheStartThroughTheOptions() throws Exception {
        SSLContext ctx = context();
        StreamLoops.runReal(() -> {
            Server srv;
            try {
                srv = Streams.startServer(StreamTlsTest::echoLines, StreamSocketTest.HOST, 0,
                        ServerOptions.builder().ssl(ctx).build(), StreamReader.DEFAULT_LIMIT);
            } catch (UnsupportedOperationException noTls) {
                assumeTrue(false, "the loop has no TLS yet: " + noTls.getMessage());
                return;
            }
            try {
                StreamConnection c;
                try {
                    c = Streams.openConnection(StreamSocketTest.HOST, srv.port(),
                            ConnectOptions.builder().ssl(ctx).serverHostname("localhost").build(), 1024);
                } catch (UnsupportedOperationException noTls) {
                    assumeTrue(false, "the loop has no TLS yet: " + noTls.getMessage());
                    return;
                }
                assertNotNull(c.writer().getExtraInfo(ExtraInfo.SSL_SESSION));
                c.writer().write(b("over tls\n"));
                assertEquals("over tls\n", s(c.reader().readline()));
                c.close();
                c.writer().waitClosed();
            } finally {
                srv.close();
                srv.closeClients();
                srv.waitClosed();
            }
        });
    }
}
