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
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** TCP transports, protocols and servers over real loopback sockets (asyncio's selector_events). */
@Timeout(30)
class TcpTransportTest {
    /** Echoes everything; on EOF, finishes writing then closes. */
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
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void echoRoundTripAndOrderlyClose() {
        NetLoops.run(() -> {
            Server srv = loop().createServer(Echo::new, "127.0.0.1", 0);
            assertTrue(srv.isServing());
            Endpoint<Recorder> c = loop().createConnection(Recorder::new, "127.0.0.1", srv.port());
            Recorder r = c.protocol();
            assertEquals(List.of("made"), r.events, "connectionMade ran before createConnection returned");
            c.transport().write(bytes("hello "));
            c.transport().write(bytes("world"));
            r.awaitBytes(11);
            assertEquals("hello world", r.text());
            assertEquals(new InetSocketAddress("127.0.0.1", srv.port()), c.transport().getExtraInfo(ExtraInfo.PEERNAME));
            assertNotNull(c.transport().getExtraInfo(ExtraInfo.SOCKNAME));
            assertEquals(1, srv.activeConnections());
            c.transport().close();
            assertTrue(c.transport().isClosing());
            r.lost.await();
            assertNull(r.lostWith, "an orderly close reports no error");
            assertEquals(List.of("made", "data", "lost"), r.events);
            srv.close();
            srv.waitClosed();  // the server side sees EOF and closes too
            assertEquals(0, srv.activeConnections());
            assertEquals(List.of(), srv.sockets());
        });
    }

    @Test
    void bufferedProtocolReadsIntoItsOwnBuffer() {
        NetLoops.run(() -> {
            Server srv = loop().createServer(Echo::new, "127.0.0.1", 0);
            ByteBuffer mine = ByteBuffer.allocate(4);  // tiny: a message arrives in several reads
            List<Integer> updates = new ArrayList<>();
            StringBuilder got = new StringBuilder();
            AsyncFuture<Void> done = loop().createFuture();
            BufferedProtocol p = new BufferedProtocol() {
                @Override
                public ByteBuffer getBuffer(int sizeHint) {
                    mine.clear();
                    return mine;
                }

                @Override
                public void bufferUpdated(int n) {
                    updates.add(n);
                    got.append(new String(mine.array(), 0, n, StandardCharsets.UTF_8));
                    if (got.length() == 10) {
                        done.setResult(null);
                    }
                }
            };
            Endpoint<BufferedProtocol> c = loop().createConnection(() -> p, "127.0.0.1", srv.port());
            c.transport().write(bytes("0123456789"));
            done.await();
            assertEquals("0123456789", got.toString());
            assertTrue(updates.stream().allMatch(n -> n <= 4), "never more than the buffer holds: " + updates);
            c.transport().close();
            srv.close();
            srv.waitClosed();
        });
    }

    @Test
    void megabytesArriveIntactBothWays() {
        NetLoops.run(() -> {
            Server srv = loop().createServer(Echo::new, "127.0.0.1", 0);
            Endpoint<Recorder> c = loop().createConnection(Recorder::new, "127.0.0.1", srv.port());
            byte[] big = new byte[8 << 20];
            new Random(42).nextBytes(big);
            c.transport().write(big);  // far more than the kernel takes at once: buffered
            assertTrue(c.transport().getWriteBufferSize() > 0);
            c.protocol().awaitBytes(big.length);
            assertArrayEquals(big, c.protocol().received.toByteArray());
            assertEquals(0, c.transport().getWriteBufferSize());
            c.transport().close();
            srv.close();
            srv.waitClosed();
        });
    }

    @Test
    void writeFlowControlPausesAndResumesTheProtocol() {
        NetLoops.run(() -> {
            List<Transport> accepted = new ArrayList<>();
            Server srv = loop().createServer(() -> new Protocol() {
                @Override
                public void connectionMade(Transport t) {
                    accepted.add(t);
                    t.pauseReading();  // a peer that does not read
                }
            }, "127.0.0.1", 0);
            Endpoint<Recorder> c = loop().createConnection(Recorder::new, "127.0.0.1", srv.port());
            Transport t = c.transport();
            t.setWriteBufferLimits(64 * 1024, 16 * 1024);
            assertEquals(new WriteTransport.WriteBufferLimits(16 * 1024, 64 * 1024), t.getWriteBufferLimits());
            byte[] chunk = new byte[16 * 1024];
            while (!c.protocol().events.contains("pause")) {
                t.write(chunk);
                Asyncio.sleep(0);  // let the transport try to flush
            }
            int held = t.getWriteBufferSize();
            assertTrue(held > 64 * 1024, "paused above the high-water mark: " + held);
            assertFalse(accepted.get(0).isReading());
            accepted.get(0).resumeReading();  // the peer drains it
            while (!c.protocol().events.contains("resume")) {
                Asyncio.sleep(0.001);
            }
            assertTrue(t.getWriteBufferSize() <= 16 * 1024);
            t.abort();
            srv.close();
            srv.abortClients();
            srv.waitClosed();
        });
    }

    @Test
    void halfCloseLetsTheServerAnswerAfterEof() {
        NetLoops.run(() -> {
            Server srv = loop().createServer(() -> new Protocol() {
                Transport t;
                int n;

                @Override
                public void connectionMade(Transport transport) {
                    t = transport;
                }

                @Override
                public void dataReceived(byte[] data) {
                    n += data.length;
                }

                @Override
                public boolean eofReceived() {
                    t.write(bytes("got " + n));  // still allowed: only the peer's side is closed
                    t.close();
                    return true;
                }
            }, "127.0.0.1", 0);
            Endpoint<Recorder> c = loop().createConnection(Recorder::new, "127.0.0.1", srv.port());
            c.protocol().keepOpenOnEof = false;
            assertTrue(c.transport().canWriteEof());
            c.transport().write(bytes("12345"));
            c.transport().writeEof();
            assertThrows(IllegalStateException.class, () -> c.transport().write(bytes("x")));
            c.protocol().lost.await();
            assertEquals("got 5", c.protocol().text());
            assertEquals(List.of("made", "data", "eof", "lost"), c.protocol().events);
            assertNull(c.protocol().lostWith);
            srv.close();
            srv.waitClosed();
        });
    }

    @Test
    void aWriteAfterCloseIsStillSentBeforeTheConnectionEnds() {
        NetLoops.run(() -> {
            List<Recorder> serverSide = new ArrayList<>();
            Server srv = loop().createServer(() -> {
                Recorder r = new Recorder();
                serverSide.add(r);
                return r;
            }, "127.0.0.1", 0);
            Endpoint<Recorder> c = loop().createConnection(Recorder::new, "127.0.0.1", srv.port());
            byte[] big = new byte[4 << 20];
            new Random(7).nextBytes(big);
            c.transport().close();
            c.transport().write(big);  // before connectionLost ran: asyncio sends it, so do we
            c.protocol().lost.await();
            Recorder peer = serverSide.get(0);
            peer.lost.await();
            assertArrayEquals(big, peer.received.toByteArray(), "every byte arrived before the FIN");
            srv.close();
            srv.waitClosed();
        });
    }

    @Test
    void abortResetsThePeer() {
        NetLoops.run(() -> {
            List<Recorder> serverSide = new ArrayList<>();
            Server srv = loop().createServer(() -> {
                Recorder r = new Recorder();
                serverSide.add(r);
                return r;
            }, "127.0.0.1", 0);
            Endpoint<Recorder> c = loop().createConnection(Recorder::new, "127.0.0.1", srv.port());
            c.transport().write(bytes("partial"));
            serverSide.get(0).awaitBytes(7);
            c.transport().write(new byte[1 << 20]);  // dropped by the abort
            c.transport().abort();
            c.protocol().lost.await();
            assertNull(c.protocol().lostWith);
            Recorder peer = serverSide.get(0);
            peer.lost.await();
            assertInstanceOf(IOException.class, peer.lostWith, "the peer sees a reset, not an EOF: " + peer.events);
            assertFalse(peer.events.contains("eof"));
            srv.close();
            srv.waitClosed();
        });
    }

    @Test
    void aLocalAddressIsBoundBeforeConnecting() {
        NetLoops.run(() -> {
            List<Transport> accepted = new ArrayList<>();
            Server srv = loop().createServer(() -> new Protocol() {
                @Override
                public void connectionMade(Transport t) {
                    accepted.add(t);
                }
            }, "127.0.0.1", 0);
            Endpoint<Recorder> c = loop().createConnection(Recorder::new, "127.0.0.1", srv.port(),
                    ConnectOptions.builder().localAddress(new InetSocketAddress("127.0.0.2", 0)).build());
            InetSocketAddress mine = (InetSocketAddress) c.transport().getExtraInfo(ExtraInfo.SOCKNAME);
            assertEquals("127.0.0.2", mine.getAddress().getHostAddress());
            while (accepted.isEmpty()) {
                Asyncio.sleep(0);
            }
            assertEquals(mine, accepted.get(0).getExtraInfo(ExtraInfo.PEERNAME), "the server sees the bound address");
            c.transport().close();
            srv.close();
            srv.waitClosed();
        });
    }

    @Test
    void connectionRefusedNamesTheAddress() {
        NetLoops.run(() -> {
            int port;
            try (java.nio.channels.ServerSocketChannel s = java.nio.channels.ServerSocketChannel.open()) {
                s.bind(new InetSocketAddress("127.0.0.1", 0));
                port = ((InetSocketAddress) s.getLocalAddress()).getPort();
            }
            ConnectException e = assertThrows(ConnectException.class,
                    () -> loop().createConnection(Recorder::new, "127.0.0.1", port));
            assertTrue(e.getMessage().contains("127.0.0.1:" + port), e.getMessage());
        });
    }

    /** A listener whose accept queue is full: Linux drops further SYNs, so connects hang. */
    static final class Blackhole implements AutoCloseable {
        final java.nio.channels.ServerSocketChannel server;
        final List<java.nio.channels.SocketChannel> fillers = new ArrayList<>();
        final int port;

        Blackhole() throws IOException {
            server = java.nio.channels.ServerSocketChannel.open();
            server.bind(new InetSocketAddress("127.0.0.1", 0), 1);
            port = ((InetSocketAddress) server.getLocalAddress()).getPort();
            for (int i = 0; i < 2; i++) {  // backlog 1 holds two on Linux
                java.nio.channels.SocketChannel f = java.nio.channels.SocketChannel.open();
                f.configureBlocking(false);
                f.connect(server.getLocalAddress());
                fillers.add(f);
            }
        }

        @Override
        public void close() throws IOException {
            for (java.nio.channels.SocketChannel f : fillers) {
                f.close();
            }
            server.close();
        }
    }

    @Test
    void connectTimeoutNamesWhatTimedOut() {
        NetLoops.run(() -> {
            try (Blackhole hole = new Blackhole()) {
                Asyncio.sleep(0.05);  // let the fillers' handshakes complete
                double t0 = loop().time();
                AsyncTimeoutException e = assertThrows(AsyncTimeoutException.class,
                        () -> loop().createConnection(Recorder::new, "127.0.0.1", hole.port,
                                ConnectOptions.builder().connectTimeout(2.5).build()));
                assertEquals(2.5, loop().time() - t0, 1e-9);
                assertTrue(e.getMessage().contains("connect to 127.0.0.1:" + hole.port + " timed out after 2.5 s"),
                        e.getMessage());
            }
        });
    }

    @Test
    void happyEyeballsStartsTheNextAddressAfterTheDelay() {
        NetLoops.run(() -> {
            Server srv = loop().createServer(Echo::new, "127.0.0.1", 0);
            try (Blackhole hole = new Blackhole()) {
                Asyncio.sleep(0.05);
                List<InetSocketAddress> addrs = List.of(
                        new InetSocketAddress("127.0.0.1", hole.port),  // hangs
                        new InetSocketAddress("127.0.0.1", srv.port()));
                double t0 = loop().time();
                java.nio.channels.SocketChannel ch = io.jasyncio.internal.net.TcpAccess.connectAny(loop(), addrs,
                        ConnectOptions.builder().happyEyeballsDelay(0.25).build());
                assertEquals(0.25, loop().time() - t0, 1e-9, "the second attempt started after the delay and won");
                assertEquals(srv.port(), ((InetSocketAddress) ch.getRemoteAddress()).getPort());
                ch.close();
                assertEquals(1, Asyncio.allTasks().size(), "the losing attempt was cancelled: " + Asyncio.allTasks());
            }
            srv.close();
            srv.waitClosed();
        });
    }

    @Test
    void happyEyeballsMovesOnAtOnceWhenAnAttemptFails() {
        NetLoops.run(() -> {
            Server srv = loop().createServer(Echo::new, "127.0.0.1", 0);
            int closed;
            try (java.nio.channels.ServerSocketChannel s = java.nio.channels.ServerSocketChannel.open()) {
                s.bind(new InetSocketAddress("127.0.0.1", 0));
                closed = ((InetSocketAddress) s.getLocalAddress()).getPort();
            }
            double t0 = loop().time();
            java.nio.channels.SocketChannel ch = io.jasyncio.internal.net.TcpAccess.connectAny(loop(),
                    List.of(new InetSocketAddress("127.0.0.1", closed), new InetSocketAddress("127.0.0.1", srv.port())),
                    ConnectOptions.builder().happyEyeballsDelay(10).build());
            assertEquals(0.0, loop().time() - t0, 1e-9, "a refused attempt starts the next one without waiting");
            ch.close();
            IOException all = assertThrows(IOException.class, () -> io.jasyncio.internal.net.TcpAccess.connectAny(loop(),
                    List.of(new InetSocketAddress("127.0.0.1", closed), new InetSocketAddress("127.0.0.2", closed)),
                    ConnectOptions.builder().happyEyeballsDelay(10).build()));
            assertTrue(all.getMessage().startsWith("Multiple exceptions: "), all.getMessage());
            assertEquals(2, all.getSuppressed().length);
            srv.close();
            srv.waitClosed();
        });
    }

    @Test
    void interleaveAlternatesFamilies() throws Exception {
        InetSocketAddress a4 = new InetSocketAddress("10.0.0.1", 1);
        InetSocketAddress b4 = new InetSocketAddress("10.0.0.2", 1);
        InetSocketAddress a6 = new InetSocketAddress("::1", 1);
        InetSocketAddress b6 = new InetSocketAddress("::2", 1);
        assertEquals(List.of(a6, a4, b6, b4), io.jasyncio.internal.net.TcpAccess.interleave(List.of(a6, b6, a4, b4), 1));
        assertEquals(List.of(a6, b6, a4, b4), io.jasyncio.internal.net.TcpAccess.interleave(List.of(a6, b6, a4, b4), 2));
        assertEquals(List.of(a4, a6, b4), io.jasyncio.internal.net.TcpAccess.interleave(List.of(a4, b4, a6), 1));
    }

    @Test
    void cancellingAConnectLeavesNothingOpen() {
        NetLoops.run(() -> {
            try (Blackhole hole = new Blackhole()) {
                Asyncio.sleep(0.05);
                Task<?> t = Asyncio.createTask("connector", () -> loop().createConnection(Recorder::new, "127.0.0.1", hole.port));
                Asyncio.sleep(1);
                t.cancel();
                assertThrows(io.jasyncio.CancelledError.class, t::await);
            }
        });
    }

    @Test
    void anotherThreadCannotTouchATransport() {
        NetLoops.run(() -> {
            Server srv = loop().createServer(Echo::new, "127.0.0.1", 0);
            Endpoint<Recorder> c = loop().createConnection(Recorder::new, "127.0.0.1", srv.port());
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> Asyncio.toThread(() -> c.transport().write(bytes("from a thread"))));
            assertTrue(e.getMessage().contains("write to a transport"), e.getMessage());
            assertThrows(IllegalStateException.class, () -> Asyncio.toThread(() -> c.transport().close()));
            c.transport().close();
            srv.close();
            srv.waitClosed();
        });
    }

    @Test
    void pauseReadingStopsDeliveryUntilResumed() {
        NetLoops.run(() -> {
            Server srv = loop().createServer(Echo::new, "127.0.0.1", 0);
            Endpoint<Recorder> c = loop().createConnection(Recorder::new, "127.0.0.1", srv.port());
            c.transport().pauseReading();
            assertFalse(c.transport().isReading());
            c.transport().write(bytes("abc"));
            Asyncio.sleep(0.1);
            assertEquals(0, c.protocol().received.size(), "nothing delivered while paused");
            c.transport().resumeReading();
            c.protocol().awaitBytes(3);
            assertEquals("abc", c.protocol().text());
            c.transport().close();
            srv.close();
            srv.waitClosed();
        });
    }

    @Test
    void serverWaitClosedWaitsForConnectionsAndCloseClientsEndsThem() {
        NetLoops.run(() -> {
            Server srv = loop().createServer(Echo::new, "127.0.0.1", 0);
            Endpoint<Recorder> c = loop().createConnection(Recorder::new, "127.0.0.1", srv.port());
            c.transport().write(bytes("x"));
            c.protocol().awaitBytes(1);
            int port = srv.port();
            srv.close();
            assertFalse(srv.isServing());
            Task<Void> waiter = Asyncio.createTask("waiter", () -> srv.waitClosed());
            Asyncio.sleep(1);
            assertFalse(waiter.isDone(), "a connection is still open");
            assertThrows(ConnectException.class, () -> loop().createConnection(Recorder::new, "127.0.0.1", port));
            srv.closeClients();
            waiter.await();
            c.protocol().lost.await();
            assertEquals(List.of("made", "data", "eof", "lost"), c.protocol().events, "the server closed its side");
        });
    }

    @Test
    void serveForeverReturnsWhenClosedAndClosesWhenCancelled() {
        NetLoops.run(() -> {
            Server srv = loop().createServer(Echo::new, "127.0.0.1", 0,
                    ServerOptions.builder().startServing(false).build());
            assertFalse(srv.isServing());
            Task<Void> serving = Asyncio.createTask("serve", () -> srv.serveForever());
            Asyncio.sleep(0);
            assertTrue(srv.isServing());
            assertThrows(IllegalStateException.class, srv::serveForever);
            loop().callLater(1, srv::close);  // as a signal handler would
            serving.await();  // returns: closing a server is not a cancellation (asyncio raises CancelledError)

            Server srv2 = loop().createServer(Echo::new, "127.0.0.1", 0);
            Task<Void> s2 = Asyncio.createTask("serve2", () -> srv2.serveForever());
            Asyncio.sleep(1);
            s2.cancel();
            assertThrows(io.jasyncio.CancelledError.class, s2::await);
            assertFalse(srv2.isServing());
            assertEquals(List.of(), srv2.sockets());
        });
    }

    @Test
    void reusePortLetsTwoServersShareAPort() {
        NetLoops.run(() -> {
            ServerOptions o = ServerOptions.builder().reusePort(true).build();
            Server a = loop().createServer(Echo::new, "127.0.0.1", 0, o);
            Server b = loop().createServer(Echo::new, "127.0.0.1", a.port(), o);
            assertEquals(a.port(), b.port());
            java.net.BindException e = assertThrows(java.net.BindException.class,
                    () -> loop().createServer(Echo::new, "127.0.0.1", a.port()));
            assertTrue(e.getMessage().contains("127.0.0.1:" + a.port()), e.getMessage());
            for (int i = 0; i < 20; i++) {
                Endpoint<Recorder> c = loop().createConnection(Recorder::new, "127.0.0.1", a.port());
                c.transport().write(bytes("ok"));
                c.protocol().awaitBytes(2);
                c.transport().close();
            }
            a.close();
            b.close();
            a.waitClosed();
            b.waitClosed();
        });
    }

    @Test
    void unixSocketsEchoAndCleanUpTheirFile() throws Exception {
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("jasyncio-unix");
        java.nio.file.Path path = dir.resolve("echo.sock");
        try {
            NetLoops.run(() -> {
                Server srv = loop().createUnixServer(Echo::new, path, ServerOptions.DEFAULTS);
                assertEquals(-1, srv.port());
                Endpoint<Recorder> c = loop().createUnixConnection(Recorder::new, path, ConnectOptions.DEFAULTS);
                c.transport().write(bytes("over unix"));
                c.protocol().awaitBytes(9);
                assertEquals("over unix", c.protocol().text());
                assertTrue(c.transport().canWriteEof());
                c.transport().close();
                srv.close();
                srv.waitClosed();
                assertFalse(java.nio.file.Files.exists(path), "the socket file is removed on close");
                // A stale socket file (a crashed server's) is replaced; a regular file is not.
                java.nio.channels.ServerSocketChannel stale = java.nio.channels.ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX);
                stale.bind(java.net.UnixDomainSocketAddress.of(path));
                stale.close();
                assertTrue(java.nio.file.Files.exists(path));
                Server again = loop().createUnixServer(Echo::new, path, ServerOptions.DEFAULTS);
                again.close();
                java.nio.file.Files.writeString(path, "precious");
                assertThrows(java.nio.file.FileAlreadyExistsException.class,
                        () -> loop().createUnixServer(Echo::new, path, ServerOptions.DEFAULTS));
                assertEquals("precious", java.nio.file.Files.readString(path));
            });
        } finally {
            java.nio.file.Files.deleteIfExists(path);
            java.nio.file.Files.delete(dir);
        }
    }

    @Test
    void aProtocolThatThrowsIsReportedAndItsConnectionClosed() {
        List<ExceptionContext> errors = NetLoops.runCollecting(() -> {
            Server srv = loop().createServer(() -> new Protocol() {
                @Override
                public void dataReceived(byte[] data) {
                    throw new IllegalStateException("bad protocol");
                }
            }, "127.0.0.1", 0);
            Endpoint<Recorder> c = loop().createConnection(Recorder::new, "127.0.0.1", srv.port());
            c.transport().write(bytes("boom"));
            c.protocol().lost.await();
            srv.close();
            srv.waitClosed();
        });
        assertEquals(1, errors.size(), errors.toString());
        assertEquals("bad protocol", errors.get(0).exception().getMessage());
    }

    @Test
    void transportsAndServersLeftOpenAreReportedAndClosedWithTheLoop() {
        List<SocketAddress> where = new ArrayList<>();
        List<ExceptionContext> errors = NetLoops.runCollecting(() -> {
            Server srv = loop().createServer(Echo::new, "127.0.0.1", 0);
            where.addAll(srv.sockets());
            Endpoint<Recorder> c = loop().createConnection(Recorder::new, "127.0.0.1", srv.port());
            c.transport().write(bytes("x"));
            c.protocol().awaitBytes(1);
        });
        List<String> messages = errors.stream().map(ExceptionContext::message).sorted().toList();
        assertEquals(3, messages.size(), messages.toString());
        assertTrue(messages.stream().filter(m -> m.startsWith("unclosed SocketTransport")).count() == 2, messages.toString());
        assertTrue(messages.stream().anyMatch(m -> m.startsWith("unclosed Server")), messages.toString());
        assertTrue(errors.stream().allMatch(e -> String.valueOf(e.extras().get("created at")).contains("TcpTransportTest")),
                "debug mode names where each was created");
        // and the port is free again
        NetLoops.run(() -> {
            Server again = loop().createServer(Echo::new, "127.0.0.1", ((InetSocketAddress) where.get(0)).getPort());
            again.close();
        });
    }
}
