package io.jasyncio.conformance;

import static io.jasyncio.conformance.NetRun.loop;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jasyncio.EventLoop;
import io.jasyncio.net.Server;
import io.jasyncio.net.ServerOptions;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Servers, as CPython's {@code test_server} pins them (serving until cancelled, waiting for the
 * connections to go, closing and aborting them, the removal of a Unix server's socket file in its
 * corner cases); each case is named after the CPython test it mirrors.
 *
 * <p>Skipped:
 * <ul>
 * <li>{@code test_close_race}: it reaches into the selector's private key data and the loop's
 *     {@code _ready} queue to close the server between the accept and the connection's set-up;
 *     jasyncio's equivalent is pinned by the loop's own tests of accept racing close.</li>
 * </ul>
 * Pinned (docs/differences.md, "Networking"): {@code test_unix_server_cleanup_prevented}, there is
 * no {@code cleanup_socket=False}; the file is always removed when it is still the server's.
 * CPython's {@code ProactorStartServerTests} are Windows-only and the same cases as the selector's.
 */
@Timeout(60)
class ServerConformanceTest {
    private Path dir;
    private Path addr;

    @BeforeEach
    void makeDir() throws IOException {
        dir = Files.createTempDirectory("jasyncio-server");
        addr = dir.resolve("s.sock");
    }

    @AfterEach
    void removeDir() throws IOException {
        Files.deleteIfExists(addr);
        Files.deleteIfExists(dir);
    }

    static ServerSocketChannel boundUnix(Path p) throws IOException {
        ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        s.bind(UnixDomainSocketAddress.of(p));
        return s;
    }

    @Test
    void test_unix_server_addr_cleanup() {
        NetRun.run(() -> {
            Server srv = loop().createUnixServer(EventsConformanceTest.Idle::new, addr, ServerOptions.DEFAULTS);
            srv.close();
            assertFalse(Files.exists(addr));
            srv.waitClosed();
        });
    }

    @Test
    void test_unix_server_sock_cleanup() {
        // An already bound socket: its file goes too.
        NetRun.run(() -> {
            try (ServerSocketChannel sock = boundUnix(addr)) {
                Server srv = loop().createServer(EventsConformanceTest.Idle::new, sock, ServerOptions.DEFAULTS);
                srv.close();
                assertFalse(Files.exists(addr));
                srv.waitClosed();
            }
        });
    }

    @Test
    void test_unix_server_sock_serves() {
        // Not a CPython case, but what the cleanup case presumes: a server on an already bound
        // Unix socket accepts connections (it must not treat them as TCP).
        NetRun.run(() -> {
            try (ServerSocketChannel sock = boundUnix(addr)) {
                Server srv = loop().createServer(EventsConformanceTest.Idle::new, sock, ServerOptions.DEFAULTS);
                try (SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                    c.configureBlocking(false);
                    loop().sockConnect(c, UnixDomainSocketAddress.of(addr));
                    for (int i = 0; i < 1000 && srv.activeConnections() == 0; i++) {
                        io.jasyncio.Asyncio.sleep(0.01);
                    }
                    assertTrue(srv.activeConnections() == 1, "the connection was accepted");
                }
                srv.close();
                srv.closeClients();
                srv.waitClosed();
            }
        });
    }

    @Test
    void test_unix_server_cleanup_gone() {
        // Someone else has already removed the file: closing is no error.
        NetRun.run(() -> {
            try (ServerSocketChannel sock = boundUnix(addr)) {
                Server srv = loop().createServer(EventsConformanceTest.Idle::new, sock, ServerOptions.DEFAULTS);
                Files.delete(addr);
                srv.close();
                srv.waitClosed();
            }
        });
    }

    @Test
    void test_unix_server_cleanup_replaced() {
        // Someone else has bound a socket of their own at the path: it is not removed.
        NetRun.run(() -> {
            Server srv = loop().createUnixServer(EventsConformanceTest.Idle::new, addr, ServerOptions.DEFAULTS);
            Files.delete(addr);
            try (ServerSocketChannel other = boundUnix(addr)) {
                srv.close();
                assertTrue(Files.exists(addr), "the other server's file is left alone");
                srv.waitClosed();
            }
        });
    }

    private static final byte[] HELLO = (("1".repeat(1024 * 5)) + "\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    /** The client of the start_server cases: sends a line, reads the one-byte reply, closes. */
    private static void helloClient(java.net.SocketAddress at) {
        try (SocketChannel c = SocketChannel.open(at)) {
            c.socket().setSoTimeout(10_000);
            c.write(java.nio.ByteBuffer.wrap(HELLO));
            int got = c.socket().getInputStream().read();
            assertEquals('1', got);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The handler of the start_server cases: reads the line, cancels the serving task, replies. */
    private static io.jasyncio.streams.ClientConnectedHandler cancelling(io.jasyncio.Task<?>[] main) {
        return (reader, writer) -> {
            reader.readline();
            main[0].cancel();
            writer.write(new byte[] {'1'});
            writer.close();
            writer.waitClosed();
        };
    }

    private static void startServerCase(EventLoop loop, Server srv, io.jasyncio.Task<?>[] main,
            java.net.SocketAddress at, boolean startFirst) throws Exception {
        main[0] = loop.createTask(() -> {
            try (srv) {
                if (startFirst) {
                    assertFalse(srv.isServing());
                    srv.startServing();
                    assertTrue(srv.isServing());
                }
                srv.serveForever();
            }
        });
        Thread client = Thread.ofPlatform().start(() -> helloClient(at));
        assertThrows(io.jasyncio.CancelledError.class, () -> loop.runUntilComplete(main[0]));
        client.join(10_000);
        assertFalse(client.isAlive());
        assertTrue(srv.sockets().isEmpty());
        assertFalse(srv.isServing());
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> loop.runUntilComplete(() -> {
                    srv.serveForever();
                    return null;
                }));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
    }

    @Test
    void test_start_server_1() throws Exception {
        EventLoop loop = EventLoop.newEventLoop();
        try {
            io.jasyncio.Task<?>[] main = new io.jasyncio.Task<?>[1];
            Server srv = loop.runUntilComplete(() -> io.jasyncio.streams.Streams.startServer(cancelling(main),
                    "127.0.0.1", 0, ServerOptions.builder().startServing(false).build(),
                    io.jasyncio.streams.StreamReader.DEFAULT_LIMIT));
            assertFalse(srv.isServing());
            startServerCase(loop, srv, main, srv.sockets().get(0), false);
        } finally {
            loop.close();
        }
    }

    @Test
    void test_start_unix_server_1() throws Exception {
        EventLoop loop = EventLoop.newEventLoop();
        try {
            io.jasyncio.Task<?>[] main = new io.jasyncio.Task<?>[1];
            Server srv = loop.runUntilComplete(() -> io.jasyncio.streams.Streams.startUnixServer(cancelling(main),
                    addr, ServerOptions.builder().startServing(false).build(),
                    io.jasyncio.streams.StreamReader.DEFAULT_LIMIT));
            startServerCase(loop, srv, main, UnixDomainSocketAddress.of(addr), true);
        } finally {
            loop.close();
        }
    }

    /** The handler of the wait_closed cases: reads to the end, then closes. */
    private static void readThenClose(io.jasyncio.streams.StreamReader rd, io.jasyncio.streams.StreamWriter wr)
            throws IOException {
        try {
            rd.read(-1);
        } finally {
            wr.close();
            wr.waitClosed();
        }
    }

    @Test
    void test_wait_closed_basic() {
        NetRun.run(() -> {
            Server srv = io.jasyncio.streams.Streams.startServer(ServerConformanceTest::readThenClose, "127.0.0.1", 0);
            try (srv) {
                // no connection, not closed: waits
                io.jasyncio.Task<Void> task1 = loop().createTask(srv::waitClosed);
                io.jasyncio.Asyncio.sleep(0);
                assertFalse(task1.isDone());
                // a connection, not closed: waits
                io.jasyncio.streams.StreamConnection c = io.jasyncio.streams.Streams.openConnection("127.0.0.1",
                        srv.port());
                io.jasyncio.Task<Void> task2 = loop().createTask(srv::waitClosed);
                io.jasyncio.Asyncio.sleep(0);
                assertFalse(task1.isDone());
                assertFalse(task2.isDone());
                srv.close();
                io.jasyncio.Asyncio.sleep(0);
                // a connection, closed: waits
                io.jasyncio.Task<Void> task3 = loop().createTask(srv::waitClosed);
                io.jasyncio.Asyncio.sleep(0);
                assertFalse(task1.isDone());
                assertFalse(task2.isDone());
                assertFalse(task3.isDone());
                c.writer().close();
                c.writer().waitClosed();
                // no connection, closed: done
                task1.await();
                task2.await();
                task3.await();
                srv.waitClosed();  // at once
            }
        });
    }

    @Test
    void test_wait_closed_race() {
        NetRun.run(() -> {
            Server srv = io.jasyncio.streams.Streams.startServer(ServerConformanceTest::readThenClose, "127.0.0.1", 0);
            try (srv) {
                io.jasyncio.Task<Void> task = loop().createTask(srv::waitClosed);
                io.jasyncio.Asyncio.sleep(0);
                assertFalse(task.isDone());
                io.jasyncio.streams.StreamConnection c = io.jasyncio.streams.Streams.openConnection("127.0.0.1",
                        srv.port());
                loop().callSoon(srv::close);
                loop().callSoon(c.writer()::close);
                srv.waitClosed();
                task.await();
            }
        });
    }

    @Test
    void test_close_clients() {
        NetRun.run(() -> {
            Server srv = io.jasyncio.streams.Streams.startServer(ServerConformanceTest::readThenClose, "127.0.0.1", 0);
            try (srv; io.jasyncio.streams.StreamConnection c = io.jasyncio.streams.Streams.openConnection("127.0.0.1",
                    srv.port())) {
                for (int i = 0; i < 1000 && srv.activeConnections() == 0; i++) {
                    io.jasyncio.Asyncio.sleep(0.001);
                }
                io.jasyncio.Task<Void> task = loop().createTask(srv::waitClosed);
                io.jasyncio.Asyncio.sleep(0);
                assertFalse(task.isDone());
                srv.close();
                srv.closeClients();
                io.jasyncio.Asyncio.waitFor(task, 10);
            }
        });
    }

    @Test
    void test_abort_clients() {
        NetRun.run(() -> {
            AsyncFutureHolder held = new AsyncFutureHolder();
            Server srv = io.jasyncio.streams.Streams.startServer((rd, wr) -> {
                held.fut.setResult(wr);
                wr.waitClosed();
            }, "127.0.0.1", 0);
            try (srv; io.jasyncio.streams.StreamConnection c = io.jasyncio.streams.Streams.openConnection("127.0.0.1",
                    srv.port(), io.jasyncio.net.ConnectOptions.DEFAULTS, 4096)) {
                io.jasyncio.streams.StreamWriter sWr = held.fut.await();
                // Fill the client's reader until it pauses, then the kernel's buffers until the
                // server's transport buffers data of its own.
                byte[] chunk = new byte[4096];
                for (int i = 0; i < 3; i++) {
                    sWr.write(chunk);
                }
                for (int i = 0; i < 1000 && ((io.jasyncio.net.ReadTransport) c.writer().transport()).isReading(); i++) {
                    io.jasyncio.Asyncio.sleep(0.001);
                }
                byte[] big = new byte[1 << 20];
                for (int i = 0; i < 64 && sWr.transport().getWriteBufferSize() == 0; i++) {
                    sWr.write(big);
                }
                assertTrue(sWr.transport().getWriteBufferSize() > 0, "the server's transport buffers data");
                io.jasyncio.Task<Void> task = loop().createTask(srv::waitClosed);
                io.jasyncio.Asyncio.sleep(0);
                assertFalse(task.isDone());
                srv.close();
                srv.abortClients();  // closeClients would wait for the buffer to drain, which never happens
                io.jasyncio.Asyncio.waitFor(task, 10);
            }
        });
    }

    /** A future for a handler's writer, made on the running loop. */
    static final class AsyncFutureHolder {
        final io.jasyncio.AsyncFuture<io.jasyncio.streams.StreamWriter> fut = loop().createFuture();
    }

    @Test
    void test_unix_server_cleanup_prevented() {
        // Pinned (docs/differences.md, "Networking"): there is no way to keep the file; asyncio's
        // cleanup_socket=False leaves it. The file is removed whenever it is still the server's.
        NetRun.run(() -> {
            Server srv = loop().createUnixServer(EventsConformanceTest.Idle::new, addr, ServerOptions.DEFAULTS);
            srv.close();
            assertFalse(Files.exists(addr), "jasyncio always removes its own socket file");
            srv.waitClosed();
        });
    }

    @Test
    void test_create_server_sock() throws Exception {
        // A server on an already bound socket: once closed, it refuses connections at once (the
        // connect is made while the loop is not running, so it never polls in between).
        EventLoop loop = EventLoop.newEventLoop();
        try (ServerSocketChannel sock = boundUnix(addr)) {
            Server srv = loop.runUntilComplete(() -> loop.createServer(EventsConformanceTest.Idle::new, sock,
                    ServerOptions.DEFAULTS));
            try (SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(addr))) {
                assertTrue(c.isConnected());
            }
            Files.deleteIfExists(addr);
            // The file is gone either way; what matters is the socket behind a path bound again.
            try (ServerSocketChannel tcp = ServerSocketChannel.open()) {
                tcp.bind(new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0));
                Server t = loop.runUntilComplete(() -> loop.createServer(EventsConformanceTest.Idle::new, tcp,
                        ServerOptions.DEFAULTS));
                java.net.SocketAddress at = tcp.getLocalAddress();
                t.close();
                assertThrows(java.net.ConnectException.class, () -> SocketChannel.open(at).close());
                srv.close();
                loop.runUntilComplete(() -> {
                    t.waitClosed();
                    srv.waitClosed();
                    return null;
                });
            }
        } finally {
            loop.close();
        }
    }
}
