package io.jasyncio.net;

import static io.jasyncio.net.NetLoops.loop;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jasyncio.AsyncFuture;
import io.jasyncio.AsyncTimeoutException;
import io.jasyncio.Asyncio;
import io.jasyncio.ExceptionContext;
import io.jasyncio.Task;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Random;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * TLS transports over real loopback sockets, both ends ours (asyncio's test_sslproto and the TLS
 * parts of test_events): round trips, flow control, clean close both ways, and every way a
 * handshake fails.
 */
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class TlsTest {
    @BeforeAll
    static void loadContextsOffTheLoop() {
        // Opening a PKCS#12 store runs a deliberately slow key derivation: not in a loop.
        TlsFixtures.server();
        TlsFixtures.client();
    }

    /** Echoes; holds its peer back (pauses reading) while its own writes are paused. */
    static final class Echo implements Protocol {
        Transport t;

        @Override
        public void connectionMade(Transport transport) {
            t = transport;
        }

        @Override
        public void dataReceived(byte[] data) {
            t.write(data);
        }

        @Override
        public void pauseWriting() {
            t.pauseReading();
        }

        @Override
        public void resumeWriting() {
            t.resumeReading();
        }
    }

    /** A Recorder that can wait until its transport lets it write again. */
    static class Writer extends Recorder {
        private AsyncFuture<Void> drained;
        boolean paused;
        int pauses;

        @Override
        public void pauseWriting() {
            super.pauseWriting();
            paused = true;
            pauses++;
        }

        @Override
        public void resumeWriting() {
            super.resumeWriting();
            paused = false;
            if (drained != null) {
                AsyncFuture<Void> d = drained;
                drained = null;
                d.setResult(null);
            }
        }

        void drain() {
            if (paused) {
                drained = Asyncio.getRunningLoop().createFuture();
                drained.await();
            }
        }
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static ServerOptions tlsServer() {
        return ServerOptions.builder().ssl(TlsFixtures.server()).build();
    }

    static ConnectOptions tlsClient() {
        return ConnectOptions.builder().ssl(TlsFixtures.client()).build();
    }

    static ConnectOptions tlsClient(SSLContext ctx, String serverHostname) {
        return ConnectOptions.builder().ssl(ctx).serverHostname(serverHostname).build();
    }

    @Test
    void echoRoundTripAndWhatTheTransportTells() {
        NetLoops.run(() -> {
            Server srv = loop().createServer(Echo::new, "127.0.0.1", 0, tlsServer());
            Endpoint<Recorder> c = loop().createConnection(Recorder::new, "127.0.0.1", srv.port(), tlsClient());
            Recorder r = c.protocol();
            Transport t = c.transport();
            assertEquals(List.of("made"), r.events, "connectionMade ran, after the handshake, before createConnection returned");
            assertEquals(t, r.transport);
            t.write(bytes("hello "));
            t.writelines(List.of(bytes("TLS "), bytes("world")));
            r.awaitBytes(15);
            assertEquals("hello TLS world", r.text());

            assertEquals("TLSv1.3", t.getExtraInfo(ExtraInfo.TLS_VERSION));
            assertTrue(((String) t.getExtraInfo(ExtraInfo.CIPHER)).startsWith("TLS_"));
            assertInstanceOf(SSLSession.class, t.getExtraInfo(ExtraInfo.SSL_SESSION));
            assertInstanceOf(SSLEngine.class, t.getExtraInfo(ExtraInfo.SSL_OBJECT));
            assertEquals(TlsFixtures.client(), t.getExtraInfo(ExtraInfo.SSL_CONTEXT));
            Certificate[] chain = (Certificate[]) t.getExtraInfo(ExtraInfo.PEERCERT);
            assertEquals("CN=localhost", ((X509Certificate) chain[0]).getSubjectX500Principal().getName());
            assertEquals(new InetSocketAddress("127.0.0.1", srv.port()), t.getExtraInfo(ExtraInfo.PEERNAME));
            assertNotNull(t.getExtraInfo(ExtraInfo.SOCKNAME));
            assertInstanceOf(SocketChannel.class, t.getExtraInfo(ExtraInfo.SOCKET));
            assertFalse(t.canWriteEof());
            assertThrows(UnsupportedOperationException.class, t::writeEof);
            assertTrue(t.isReading());

            t.close();
            assertTrue(t.isClosing());
            r.lost.await();
            assertNull(r.lostWith);
            assertEquals(List.of("made", "data", "lost"), r.events);
            srv.close();
            srv.waitClosed();
        });
    }

    @Test
    void theServerSpeaksFirstAndItsGreetingIsNotLost() {
        // The greeting leaves with (or right after) the server's last handshake flight: the client
        // must deliver it even though it arrives before the client has anything to say.
        NetLoops.run(() -> {
            Server srv = loop().createServer(() -> new Protocol() {
                @Override
                public void connectionMade(Transport t) {
                    t.write(bytes("220 hello\r\n"));
                    t.close();
                }
            }, "127.0.0.1", 0, tlsServer());
            Endpoint<Recorder> c = loop().createConnection(Recorder::new, "127.0.0.1", srv.port(), tlsClient());
            Recorder r = c.protocol();
            r.lost.await();
            assertEquals("220 hello\r\n", r.text());
            assertEquals(List.of("made", "data", "eof", "lost"), r.events, "close_notify is an EOF, then the end");
            assertNull(r.lostWith);
            srv.close();
            srv.waitClosed();
        });
    }

    @Test
    void closeFromTheClientIsACleanEofOnTheServer() {
        NetLoops.run(() -> {
            AsyncFuture<Recorder> accepted = loop().createFuture();
            Server srv = loop().createServer(() -> {
                Recorder r = new Recorder();
                accepted.setResult(r);
                return r;
            }, "127.0.0.1", 0, tlsServer());
            Endpoint<Recorder> c = loop().createConnection(Recorder::new, "127.0.0.1", srv.port(), tlsClient());
            Recorder s = accepted.await();
            s.made.await();
            c.transport().write(bytes("last words"));
            c.transport().close();
            c.protocol().lost.await();
            s.lost.await();
            assertEquals("last words", s.text(), "data written before close() is delivered");
            assertEquals(List.of("made", "data", "eof", "lost"), s.events);
            assertNull(s.lostWith);
            assertNull(c.protocol().lostWith);
            srv.close();
            srv.waitClosed();
        });
    }

    @Test
    void megabytesBothWaysWithWriteFlowControl() {
        NetLoops.run(() -> {
            Server srv = loop().createServer(Echo::new, "127.0.0.1", 0, tlsServer());
            Endpoint<Writer> c = loop().createConnection(Writer::new, "127.0.0.1", srv.port(), tlsClient());
            Writer w = c.protocol();
            Transport t = c.transport();
            byte[] payload = new byte[6 * 1024 * 1024];
            new Random(5).nextBytes(payload);
            // One big write: the TLS layer encrypts only as fast as the socket drains and keeps
            // the rest as plaintext, so the application is told to pause.
            t.write(payload);
            assertTrue(w.paused, "a 6 MiB write goes over the high-water mark");
            assertTrue(t.getWriteBufferSize() > t.getWriteBufferLimits().high());
            w.drain();
            assertFalse(w.paused);
            // Then many small writes that honour pause/resume.
            for (int off = 0; off < payload.length; off += 4096) {
                t.write(payload, off, 4096);
                w.drain();
            }
            w.awaitBytes(2 * payload.length);
            byte[] got = w.received.toByteArray();
            assertEquals(2 * payload.length, got.length);
            assertArrayEquals(sha(payload, payload), sha(got));
            assertTrue(w.pauses >= 1);
            t.close();
            w.lost.await();
            srv.close();
            srv.waitClosed();
        });
    }

    static byte[] sha(byte[]... parts) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        for (byte[] p : parts) {
            md.update(p);
        }
        return md.digest();
    }

    @Test
    void pauseReadingHoldsTheDataBackUntilResumed() {
        NetLoops.run(() -> {
            byte[] payload = new byte[1024 * 1024];
            new Random(7).nextBytes(payload);
            Server srv = loop().createServer(() -> new Protocol() {
                @Override
                public void connectionMade(Transport t) {
                    t.write(payload);
                    t.close();
                }
            }, "127.0.0.1", 0, tlsServer());
            Endpoint<Recorder> c = loop().createConnection(() -> new Recorder() {
                @Override
                public void connectionMade(Transport t) {
                    super.connectionMade(t);
                    t.pauseReading();
                }
            }, "127.0.0.1", srv.port(), tlsClient());
            Recorder r = c.protocol();
            assertFalse(c.transport().isReading());
            Asyncio.sleep(0.2);
            assertEquals(0, r.received.size(), "nothing is delivered while reading is paused");
            assertFalse(r.eof.isDone(), "not even the end");
            c.transport().resumeReading();
            r.lost.await();
            assertArrayEquals(payload, r.received.toByteArray());
            assertEquals(List.of("made", "data", "eof", "lost"), r.events);
            srv.close();
            srv.waitClosed();
        });
    }

    @Test
    void aBufferedProtocolGetsThePlaintextInItsOwnSmallBuffers() {
        NetLoops.run(() -> {
            Server srv = loop().createServer(Echo::new, "127.0.0.1", 0, tlsServer());
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            int[] calls = {0};
            AsyncFuture<Void> done = loop().createFuture();
            byte[] payload = new byte[100_000];
            new Random(3).nextBytes(payload);
            BufferedProtocol p = new BufferedProtocol() {
                final ByteBuffer buf = ByteBuffer.allocate(1000);

                @Override
                public ByteBuffer getBuffer(int sizeHint) {
                    buf.clear();
                    return buf;
                }

                @Override
                public void bufferUpdated(int n) {
                    calls[0]++;
                    got.write(buf.array(), 0, n);
                    if (got.size() == payload.length) {
                        done.setResult(null);
                    }
                }
            };
            Endpoint<BufferedProtocol> c = loop().createConnection(() -> p, "127.0.0.1", srv.port(), tlsClient());
            c.transport().write(payload);
            done.await();
            assertArrayEquals(payload, got.toByteArray());
            assertTrue(calls[0] >= 100, "at most 1000 bytes per call");
            c.transport().close();
            srv.close();
            srv.waitClosed();
        });
    }

    /** Copies {@code from} to {@code to} a few bytes at a time, yielding between writes. */
    static void dribble(SocketChannel from, SocketChannel to, Random rnd) throws Exception {
        byte[] buf;
        while ((buf = loop().sockRecv(from, 4096)).length > 0) {
            for (int off = 0; off < buf.length; ) {
                int n = Math.min(buf.length - off, 1 + rnd.nextInt(7));
                loop().sockSendall(to, ByteBuffer.wrap(buf, off, n));
                off += n;
                Asyncio.sleep(0);
            }
        }
        to.shutdownOutput();
    }

    @Test
    void recordsArrivingAFewBytesAtATimeLoseNothing() {
        // A proxy between the two ends cuts every record, the handshake's included, into pieces
        // of 1 to 7 bytes: the layer must wait for whole records and never lose a partial one.
        NetLoops.run(() -> {
            Server srv = loop().createServer(Echo::new, "127.0.0.1", 0, tlsServer());
            java.nio.channels.ServerSocketChannel proxy = java.nio.channels.ServerSocketChannel.open();
            proxy.bind(new InetSocketAddress("127.0.0.1", 0));
            proxy.configureBlocking(false);
            int proxyPort = ((InetSocketAddress) proxy.getLocalAddress()).getPort();
            Task<Void> relay = Asyncio.createTask(() -> {
                try (SocketChannel a = loop().sockAccept(proxy); SocketChannel b = SocketChannel.open()) {
                    // Without TCP_NODELAY, Nagle holds each small piece until the last is acked
                    // (40 ms of delayed ACK on Linux): virtual time would jump over that wait.
                    a.setOption(java.net.StandardSocketOptions.TCP_NODELAY, true);
                    b.setOption(java.net.StandardSocketOptions.TCP_NODELAY, true);
                    b.configureBlocking(false);
                    loop().sockConnect(b, new InetSocketAddress("127.0.0.1", srv.port()));
                    Random rnd = new Random(17);
                    Task<Void> up = Asyncio.createTask(() -> dribble(a, b, rnd));
                    dribble(b, a, rnd);
                    up.await();
                }
            });
            Endpoint<Recorder> c = loop().createConnection(Recorder::new, "127.0.0.1", proxyPort,
                    tlsClient(TlsFixtures.client(), "localhost"));
            byte[] payload = new byte[8_000];
            new Random(9).nextBytes(payload);
            c.transport().write(payload);
            c.protocol().awaitBytes(payload.length);
            assertArrayEquals(payload, c.protocol().received.toByteArray());
            c.transport().close();
            c.protocol().lost.await();
            assertNull(c.protocol().lostWith, "close_notify made it through in pieces too");
            relay.await();
            proxy.close();
            srv.close();
            srv.waitClosed();
        });
    }

    // ------------------------------------------------------------------ certificates and names

    @Test
    void aWrongHostNameFailsTheHandshakeAndSaysWhy() {
        List<ExceptionContext> reports = NetLoops.runCollecting(() -> {
            Server srv = loop().createServer(Echo::new, "127.0.0.1", 0, tlsServer());
            SSLHandshakeException e = assertThrows(SSLHandshakeException.class, () -> loop().createConnection(
                    Recorder::new, "127.0.0.1", srv.port(), tlsClient(TlsFixtures.client(), "wrong.example")));
            assertEquals("TLS handshake with wrong.example (127.0.0.1:" + srv.port() + ") failed: the server's "
                    + "certificate does not match host name 'wrong.example' (No subject alternative DNS name "
                    + "matching wrong.example found.)", e.getMessage());
            Asyncio.sleep(0.05);
            assertEquals(0, srv.activeConnections(), "both ends closed");
            srv.close();
            srv.waitClosed();
        });
        // In debug mode the server reports its side of the failure (the client's alert).
        assertTrue(reports.stream().allMatch(c -> c.message().equals("TLS handshake failed")), reports.toString());
        assertTrue(reports.stream().anyMatch(c -> c.exception().getMessage().contains(
                "the peer sent the fatal alert 'certificate_unknown' (it does not accept our certificate)")),
                reports.toString());
    }

    @Test
    void aServerLogsAFailedHandshakeWithThePeerAndTheReasonAtTheDefaultLevel() {
        java.util.logging.Logger jul = java.util.logging.Logger.getLogger("io.jasyncio.net.tls");
        List<java.util.logging.LogRecord> records = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.logging.Handler h = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord r) {
                records.add(r);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        jul.addHandler(h);
        int[] clientPort = {0};
        try {
            NetLoops.runCollecting(() -> {
                Server srv = loop().createServer(Echo::new, "127.0.0.1", 0, tlsServer());
                // A client that speaks plain text to a TLS port: the handshake fails on its first bytes.
                Endpoint<Recorder> plain = loop().createConnection(Recorder::new, "127.0.0.1", srv.port());
                clientPort[0] = ((java.net.InetSocketAddress) plain.transport().getExtraInfo(ExtraInfo.SOCKNAME)).getPort();
                plain.transport().write(bytes("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));  // not TLS at all
                plain.protocol().lost.await();
                srv.close();
                srv.waitClosed();
            });
        } finally {
            jul.removeHandler(h);
        }
        List<java.util.logging.LogRecord> failed = records.stream()
                .filter(r -> r.getMessage() != null && r.getMessage().startsWith("TLS handshake")).toList();
        assertEquals(1, failed.size(), records.toString());
        java.util.logging.LogRecord r = failed.get(0);
        assertEquals(java.util.logging.Level.INFO, r.getLevel(), "the default level, not debug");
        assertTrue(r.getMessage().startsWith("TLS handshake with 127.0.0.1:" + clientPort[0] + " failed: "),
                r.getMessage());
        assertTrue(r.getMessage().length() > ("TLS handshake with 127.0.0.1:" + clientPort[0] + " failed: ").length(),
                "and says why: " + r.getMessage());
    }

    @Test
    void theHostNameAndTheAddressInTheCertificateBothVerify() {
        NetLoops.run(() -> {
            Server srv = loop().createServer(Echo::new, "127.0.0.1", 0, tlsServer());
            for (String name : List.of("localhost", "127.0.0.1")) {
                Endpoint<Recorder> c = loop().createConnection(Recorder::new, "127.0.0.1", srv.port(),
                        tlsClient(TlsFixtures.client(), name));
                c.transport().write(bytes(name));
                c.protocol().awaitBytes(name.length());
                assertEquals(name, c.protocol().text());
                c.transport().close();
                c.protocol().lost.await();
            }
            // No serverHostname: the host connected to is the name verified.
            Endpoint<Recorder> c = loop().createConnection(Recorder::new, "localhost", srv.port(), tlsClient());
            SSLSession s = (SSLSession) c.transport().getExtraInfo(ExtraInfo.SSL_SESSION);
            assertEquals("localhost", s.getPeerHost());
            c.transport().close();
            c.protocol().lost.await();
            srv.close();
            srv.waitClosed();
        });
    }

    @Test
    void anUntrustedCertificateFailsTheHandshake() {
        NetLoops.runCollecting(() -> {
            Server srv = loop().createServer(Echo::new, "127.0.0.1", 0, tlsServer());
            SSLContext jdkDefault = TlsContexts.client();  // the JDK's CAs: the test CA is not one of them
            for (String name : List.of("localhost", "")) {  // an empty name skips the name, never the chain
                SSLHandshakeException e = assertThrows(SSLHandshakeException.class, () -> loop().createConnection(
                        Recorder::new, "127.0.0.1", srv.port(), tlsClient(jdkDefault, name)));
                assertTrue(e.getMessage().endsWith("failed: the server's certificate is not trusted "
                        + "(unable to find valid certification path to requested target)"), e.getMessage());
            }
            srv.close();
            srv.waitClosed();
        });
    }

    @Test
    void anEmptyServerHostnameSkipsTheNameCheckButNotTheChain() {
        NetLoops.run(() -> {
            Server srv = loop().createServer(Echo::new, "127.0.0.1", 0, tlsServer());
            Endpoint<Recorder> c = loop().createConnection(Recorder::new, "127.0.0.1", srv.port(),
                    tlsClient(TlsFixtures.client(), ""));
            c.transport().write(bytes("x"));
            c.protocol().awaitBytes(1);
            c.transport().close();
            c.protocol().lost.await();
            srv.close();
            srv.waitClosed();
        });
    }

    @Test
    void tlsOverAUnixSocket() throws Exception {
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("jasyncio-tls");
        java.nio.file.Path path = dir.resolve("tls.sock");
        try {
            NetLoops.run(() -> {
                Server srv = loop().createUnixServer(Echo::new, path, tlsServer());
                Endpoint<Recorder> c = loop().createUnixConnection(Recorder::new, path,
                        tlsClient(TlsFixtures.client(), "localhost"));
                c.transport().write(bytes("over unix"));
                c.protocol().awaitBytes(9);
                assertEquals("over unix", c.protocol().text());
                assertEquals("TLSv1.3", c.transport().getExtraInfo(ExtraInfo.TLS_VERSION));
                c.transport().close();
                c.protocol().lost.await();
                assertNull(c.protocol().lostWith);
                srv.close();
                srv.waitClosed();
            });
        } finally {
            java.nio.file.Files.deleteIfExists(path);
            java.nio.file.Files.delete(dir);
        }
    }

    @Test
    void contextsFromPemTrustAnchorsAndClearErrorsForBadStores() throws Exception {
        SSLContext pem = TlsContexts.clientTrusting(TlsFixtures.CA_PEM);
        NetLoops.run(() -> {
            Server srv = loop().createServer(Echo::new, "127.0.0.1", 0, tlsServer());
            Endpoint<Recorder> c = loop().createConnection(Recorder::new, "localhost", srv.port(),
                    ConnectOptions.builder().ssl(pem).build());
            c.transport().write(bytes("pem"));
            c.protocol().awaitBytes(3);
            c.transport().close();
            c.protocol().lost.await();
            srv.close();
            srv.waitClosed();
        });
        java.io.IOException wrong = assertThrows(java.io.IOException.class,
                () -> TlsContexts.server(TlsFixtures.DIR.resolve("localhost.p12"), "wrong".toCharArray()));
        assertTrue(wrong.getMessage().contains("password"), wrong.getMessage());
        assertThrows(java.security.cert.CertificateException.class,
                () -> TlsContexts.clientTrusting(TlsFixtures.DIR.resolve("README.md")));
    }

    // ------------------------------------------------------------------ faults

    @Test
    void aPeerThatNeverAnswersTimesTheHandshakeOut() {
        NetLoops.run(() -> {
            Server silent = loop().createServer(Recorder::new, "127.0.0.1", 0);
            ConnectOptions o = tlsClient().toBuilder().sslHandshakeTimeout(5).build();
            double t0 = loop().time();
            SocketTimeoutException e = assertThrows(SocketTimeoutException.class,
                    () -> loop().createConnection(Recorder::new, "127.0.0.1", silent.port(), o));
            assertEquals("TLS handshake with 127.0.0.1 (127.0.0.1:" + silent.port() + ") timed out after 5 s",
                    e.getMessage());
            assertEquals(5.0, loop().time() - t0, 0.5);
            Asyncio.sleep(0.05);
            assertEquals(0, silent.activeConnections(), "the connection was aborted");
            silent.close();
            silent.waitClosed();
        });
    }

    @Test
    void aClientThatNeverSpeaksTimesOutOnTheServer() {
        List<ExceptionContext> reports = NetLoops.runCollecting(() -> {
            Server srv = loop().createServer(Echo::new, "127.0.0.1", 0,
                    tlsServer().toBuilder().sslHandshakeTimeout(3).build());
            Endpoint<Recorder> plain = loop().createConnection(Recorder::new, "127.0.0.1", srv.port());
            plain.protocol().lost.await();
            // A clean close on the timeout (an end of stream, no TLS record), as asyncio's.
            assertEquals(List.of("made", "eof", "lost"), plain.protocol().events);
            srv.close();
            srv.waitClosed();
        });
        assertEquals(1, reports.size(), reports.toString());
        assertInstanceOf(SocketTimeoutException.class, reports.get(0).exception());
    }

    @Test
    void aPeerThatResetsMidHandshakeIsAClearError() {
        NetLoops.run(() -> {
            Server resets = loop().createServer(() -> new Protocol() {
                Transport t;

                @Override
                public void connectionMade(Transport transport) {
                    t = transport;
                }

                @Override
                public void dataReceived(byte[] data) {
                    t.abort();  // the ClientHello arrived: reset
                }
            }, "127.0.0.1", 0);
            SSLHandshakeException e = assertThrows(SSLHandshakeException.class,
                    () -> loop().createConnection(Recorder::new, "127.0.0.1", resets.port(), tlsClient()));
            assertTrue(e.getMessage().contains("failed: the connection was lost during the TLS handshake: "
                    + "java.net.SocketException: Connection reset"), e.getMessage());
            assertInstanceOf(java.io.IOException.class, e.getCause());
            resets.close();
            resets.waitClosed();
        });
    }

    @Test
    void aPeerThatHangsUpMidHandshakeIsAClearError() {
        NetLoops.run(() -> {
            Server hangsUp = loop().createServer(() -> new Protocol() {
                Transport t;

                @Override
                public void connectionMade(Transport transport) {
                    t = transport;
                }

                @Override
                public void dataReceived(byte[] data) {
                    t.close();
                }
            }, "127.0.0.1", 0);
            SSLHandshakeException e = assertThrows(SSLHandshakeException.class,
                    () -> loop().createConnection(Recorder::new, "127.0.0.1", hangsUp.port(), tlsClient()));
            assertTrue(e.getMessage().contains("the peer closed the connection before the handshake completed"),
                    e.getMessage());
            hangsUp.close();
            hangsUp.waitClosed();
        });
    }

    @Test
    void plainTextToATlsServerIsRefused() {
        List<ExceptionContext> reports = NetLoops.runCollecting(() -> {
            Server srv = loop().createServer(Echo::new, "127.0.0.1", 0, tlsServer());
            Endpoint<Recorder> plain = loop().createConnection(Recorder::new, "127.0.0.1", srv.port());
            plain.transport().write(bytes("GET / HTTP/1.0\r\n\r\n"));
            plain.protocol().lost.await();
            assertFalse(plain.protocol().text().contains("GET"), "nothing is echoed in the clear");
            srv.close();
            srv.waitClosed();
        });
        assertEquals(1, reports.size(), reports.toString());
        assertInstanceOf(SSLHandshakeException.class, reports.get(0).exception());
        assertTrue(reports.get(0).exception().getMessage().contains("failed: Unrecognized SSL message, plaintext connection?"),
                reports.get(0).exception().getMessage());
    }

    @Test
    void cancellingAConnectMidHandshakeLeavesNothingOpen() {
        NetLoops.run(() -> {
            Server silent = loop().createServer(Recorder::new, "127.0.0.1", 0);
            Task<Endpoint<Recorder>> connecting = Asyncio.createTask(
                    () -> loop().createConnection(Recorder::new, "127.0.0.1", silent.port(), tlsClient()));
            Asyncio.sleep(0.1);
            connecting.cancel();
            assertThrows(io.jasyncio.CancelledError.class, connecting::await);
            Asyncio.sleep(0.05);
            assertEquals(0, silent.activeConnections());
            silent.close();
            silent.waitClosed();
        });
    }

    @Test
    void aConnectTimeoutCoversTheHandshake() {
        NetLoops.run(() -> {
            Server silent = loop().createServer(Recorder::new, "127.0.0.1", 0);
            ConnectOptions o = tlsClient().toBuilder().connectTimeout(2).build();
            assertThrows(AsyncTimeoutException.class,
                    () -> loop().createConnection(Recorder::new, "127.0.0.1", silent.port(), o));
            silent.close();
            silent.waitClosed();
        });
    }

    /** A TLS server whose accepted connection the test gets hold of. */
    static AsyncFuture<Recorder> acceptOne(Server[] srv, ServerOptions o) throws Exception {
        AsyncFuture<Recorder> accepted = loop().createFuture();
        srv[0] = loop().createServer(() -> {
            Recorder r = new Recorder();
            if (!accepted.isDone()) {
                accepted.setResult(r);
            }
            return r;
        }, "127.0.0.1", 0, o);
        return accepted;
    }

    @Test
    void aPeerThatNeverAnswersCloseNotifyIsAbortedAfterTheShutdownTimeout() {
        NetLoops.run(() -> {
            Server[] srv = {null};
            AsyncFuture<Recorder> accepted = acceptOne(srv, tlsServer());
            ConnectOptions o = tlsClient().toBuilder().sslShutdownTimeout(4).build();
            Endpoint<Recorder> c = loop().createConnection(Recorder::new, "127.0.0.1", srv[0].port(), o);
            Recorder s = accepted.await();
            s.made.await();
            s.transport.pauseReading();  // it will not even read our close_notify
            double t0 = loop().time();
            c.transport().close();
            c.protocol().lost.await();
            assertEquals(4.0, loop().time() - t0, 0.5);
            SocketTimeoutException e = assertInstanceOf(SocketTimeoutException.class, c.protocol().lostWith);
            assertTrue(e.getMessage().startsWith("TLS shutdown with 127.0.0.1 (127.0.0.1:" + srv[0].port()
                    + ") timed out after 4 s"), e.getMessage());
            s.lost.await();  // the abort reset the server's side
            srv[0].close();
            srv[0].waitClosed();
        });
    }

    @Test
    void aRaggedEofWithoutCloseNotifyIsStillAnEof() {
        // asyncio accepts a TCP FIN without close_notify as the end of the stream, and so do we:
        // many servers close that way.
        NetLoops.run(() -> {
            Server[] srv = {null};
            AsyncFuture<Recorder> accepted = acceptOne(srv, tlsServer());
            Endpoint<Recorder> c = loop().createConnection(Recorder::new, "127.0.0.1", srv[0].port(), tlsClient());
            Recorder s = accepted.await();
            s.made.await();
            s.transport.write(bytes("bye"));
            ((SocketChannel) s.transport.getExtraInfo(ExtraInfo.SOCKET)).shutdownOutput();
            c.protocol().lost.await();
            assertEquals("bye", c.protocol().text());
            assertEquals(List.of("made", "data", "eof", "lost"), c.protocol().events);
            assertNull(c.protocol().lostWith);
            s.transport.abort();
            srv[0].close();
            srv[0].waitClosed();
        });
    }

    @Test
    void aResetAfterTheHandshakeReachesTheProtocol() {
        NetLoops.run(() -> {
            Server[] srv = {null};
            AsyncFuture<Recorder> accepted = acceptOne(srv, tlsServer());
            Endpoint<Recorder> c = loop().createConnection(Recorder::new, "127.0.0.1", srv[0].port(), tlsClient());
            Recorder s = accepted.await();
            s.made.await();
            s.transport.write(bytes("partial"));
            Asyncio.sleep(0.05);
            s.transport.abort();  // SO_LINGER 0: a reset
            c.protocol().lost.await();
            assertEquals("partial", c.protocol().text(), "what came before the reset was delivered");
            assertInstanceOf(java.io.IOException.class, c.protocol().lostWith);
            srv[0].close();
            srv[0].waitClosed();
        });
    }

    @Test
    void garbageInsteadOfARecordEndsTheConnectionWithTheEnginesError() {
        NetLoops.run(() -> {
            Server[] srv = {null};
            AsyncFuture<Recorder> accepted = acceptOne(srv, tlsServer());
            Endpoint<Recorder> c = loop().createConnection(Recorder::new, "127.0.0.1", srv[0].port(), tlsClient());
            Recorder s = accepted.await();
            s.made.await();
            byte[] garbage = new byte[64];
            garbage[0] = 23;  // an application-data record header...
            garbage[1] = 3;
            garbage[2] = 3;
            garbage[4] = 59;  // ...whose content does not decrypt
            ((SocketChannel) s.transport.getExtraInfo(ExtraInfo.SOCKET)).write(ByteBuffer.wrap(garbage));
            c.protocol().lost.await();
            assertInstanceOf(javax.net.ssl.SSLException.class, c.protocol().lostWith);
            s.lost.await();
            assertInstanceOf(javax.net.ssl.SSLException.class, s.lostWith, "the client's alert told the server why");
            assertTrue(s.lostWith.getMessage().contains("Received fatal alert"), s.lostWith.getMessage());
            srv[0].close();
            srv[0].waitClosed();
        });
    }

    @Test
    void aProtocolThatThrowsIsReportedAndItsConnectionClosed() {
        List<ExceptionContext> reports = NetLoops.runCollecting(() -> {
            Server srv = loop().createServer(Echo::new, "127.0.0.1", 0, tlsServer());
            Endpoint<Recorder> c = loop().createConnection(() -> new Recorder() {
                @Override
                public void dataReceived(byte[] data) {
                    super.dataReceived(data);
                    throw new IllegalStateException("boom");
                }
            }, "127.0.0.1", srv.port(), tlsClient());
            c.transport().write(bytes("x"));
            c.protocol().lost.await();
            assertEquals("boom", c.protocol().lostWith.getMessage());
            assertTrue(c.transport().isClosing());
            srv.close();
            srv.waitClosed();
        });
        assertEquals(1, reports.size(), reports.toString());
        assertEquals("boom", reports.get(0).exception().getMessage());
    }

    @Test
    void writesAfterCloseAreDroppedAndTheLimitsAreTheTransports() {
        NetLoops.run(() -> {
            Server srv = loop().createServer(Echo::new, "127.0.0.1", 0, tlsServer());
            Endpoint<Writer> c = loop().createConnection(Writer::new, "127.0.0.1", srv.port(), tlsClient());
            Transport t = c.transport();
            assertEquals(new WriteTransport.WriteBufferLimits(16 * 1024, 64 * 1024), t.getWriteBufferLimits());
            t.setWriteBufferLimits(-1, 1000);
            assertEquals(new WriteTransport.WriteBufferLimits(1000, 4000), t.getWriteBufferLimits());
            assertThrows(IllegalArgumentException.class, () -> t.setWriteBufferLimits(10, 20));
            t.close();
            t.write(bytes("too late"));
            assertEquals(0, t.getWriteBufferSize(), "nothing is queued");
            c.protocol().lost.await();
            assertEquals("", c.protocol().text());
            srv.close();
            srv.waitClosed();
        });
    }

    // ------------------------------------------------------------------ upgrade

    /** A line protocol server that answers "STARTTLS" with "OK", upgrades, then echoes over TLS. */
    static final class StartTlsServer implements Protocol {
        Transport t;
        final StringBuilder line = new StringBuilder();
        boolean upgraded;
        Exception failure;

        @Override
        public void connectionMade(Transport transport) {
            t = transport;
        }

        @Override
        public void dataReceived(byte[] data) {
            if (upgraded) {
                t.write(data);
                return;
            }
            line.append(new String(data, StandardCharsets.US_ASCII));
            if (line.toString().equals("STARTTLS\r\n")) {
                t.write(bytes("OK\r\n"));
                Transport plain = t;
                Asyncio.createTask(() -> {
                    try {
                        t = Asyncio.getRunningLoop().startTls(plain, this, TlsFixtures.server(), true, null, 10);
                        upgraded = true;
                    } catch (java.io.IOException e) {
                        failure = e;
                    }
                });
            }
        }
    }

    @Test
    void startTlsUpgradesAPlainConnection() {
        NetLoops.run(() -> {
            Server srv = loop().createServer(StartTlsServer::new, "127.0.0.1", 0);
            Endpoint<Recorder> c = loop().createConnection(Recorder::new, "127.0.0.1", srv.port());
            Recorder r = c.protocol();
            c.transport().write(bytes("STARTTLS\r\n"));
            r.awaitBytes(4);
            assertEquals("OK\r\n", r.text());
            Transport tls = loop().startTls(c.transport(), r, TlsFixtures.client(), false, "localhost", 10);
            assertEquals(List.of("made", "data"), r.events, "no second connectionMade: the protocol had its first");
            assertEquals("TLSv1.3", tls.getExtraInfo(ExtraInfo.TLS_VERSION));
            assertEquals(r, tls.getProtocol());
            r.received.reset();
            tls.write(bytes("secret"));
            r.awaitBytes(6);
            assertEquals("secret", r.text());
            tls.close();
            r.lost.await();
            assertNull(r.lostWith);
            srv.close();
            srv.waitClosed();
        });
    }

    @Test
    void aFailedStartTlsClosesTheConnection() {
        List<ExceptionContext> reports = NetLoops.runCollecting(() -> {
            Server srv = loop().createServer(StartTlsServer::new, "127.0.0.1", 0);
            Endpoint<Recorder> c = loop().createConnection(Recorder::new, "127.0.0.1", srv.port());
            Recorder r = c.protocol();
            c.transport().write(bytes("STARTTLS\r\n"));
            r.awaitBytes(4);
            SSLHandshakeException e = assertThrows(SSLHandshakeException.class, () -> loop().startTls(
                    c.transport(), r, TlsFixtures.client(), false, "wrong.example", 10));
            assertTrue(e.getMessage().contains("does not match host name 'wrong.example'"), e.getMessage());
            r.lost.await();
            assertTrue(c.transport().isClosing());
            srv.close();
            srv.waitClosed();
        });
        assertTrue(reports.isEmpty(), "the server's startTls task saw the failure, nothing else: " + reports);
    }

    @Test
    void aTlsClientNeedsAHostNameToVerify() {
        NetLoops.run(() -> {
            Server srv = loop().createServer(Echo::new, "127.0.0.1", 0);
            Endpoint<Recorder> c = loop().createConnection(Recorder::new, "127.0.0.1", srv.port());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> loop().startTls(
                    c.transport(), c.protocol(), TlsFixtures.client(), false, null, 10));
            assertTrue(e.getMessage().contains("empty serverHostname"), e.getMessage());
            c.transport().close();
            srv.close();
            srv.waitClosed();
        });
    }
}
