package io.jasyncio.conformance;

import static io.jasyncio.conformance.NetRun.loop;
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
 * Servers, as CPython's {@code test_server} pins them (the removal of a Unix server's socket file
 * in its corner cases); each case is named after the CPython test it mirrors.
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
