package io.jasyncio.examples.echo;

import io.jasyncio.Asyncio;
import io.jasyncio.EventLoop;
import io.jasyncio.Task;
import io.jasyncio.streams.StreamConnection;
import io.jasyncio.streams.Streams;
import io.jasyncio.test.AsyncioTest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The echo server against slowloris clients, on the test kit's virtual time over real loopback
 * sockets: one {@link EchoServer} on the test's loop, clients as tasks of the same loop, and the
 * clock saying exactly when each was closed. Timeouts: 30 s per line (and of silence), 10 s for
 * the first byte.
 */
class EchoTimeoutTest {
    private static final EchoConfig CONFIG = new EchoConfig("127.0.0.1", 0, 1, 100, 16, 10, false, true, null, 30, 10);

    private final List<String> log = new ArrayList<>();
    private EchoServer server;
    private Task<EchoServer.Shutdown> serving;

    private int start() throws IOException {
        server = new EchoServer(0, 1, CONFIG, log::add);
        int port = server.listen(0, false);
        serving = Asyncio.createTask("echo", server::serveUntilStopped);
        return port;
    }

    private void stop() {
        server.request(2);
        serving.await();
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String s(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    @AsyncioTest
    void aClientThatSendsNothingIsClosedAtTheFirstByteTimeout(EventLoop loop) throws IOException {
        int port = start();
        double t0 = loop.time();
        try (StreamConnection c = Streams.openConnection("127.0.0.1", port)) {
            assertEquals("", s(c.reader().read(-1)), "closed, nothing said");
            double took = loop.time() - t0;
            assertTrue(took >= 10 && took < 10.1, "closed after " + took + " s");
        }
        stop();
        assertTrue(log.stream().anyMatch(l -> l.startsWith("lost (connection closed by the server: no byte received"
                + " within 10 s of connecting)")), log.toString());
    }

    @AsyncioTest
    void aClientTricklingBytesThatNeverMakeALineIsClosedAtTheLineTimeout(EventLoop loop) throws IOException {
        int port = start();
        try (StreamConnection c = Streams.openConnection("127.0.0.1", port)) {
            double t0 = loop.time();
            double[] closedAt = {0};
            Task<String> reply = Asyncio.createTask(() -> {
                String r = s(c.reader().read(-1));
                closedAt[0] = loop.time();
                return r;
            });
            // One byte every 5 s: never 30 s of silence, never 16 bytes, never a newline.
            for (int i = 0; i < 12 && !reply.isDone(); i++) {
                c.writer().write(b("x"));
                Asyncio.sleep(5);
            }
            assertEquals("error: no complete line within 30 s, closing\r\n", reply.await());
            double took = closedAt[0] - t0;
            assertTrue(took >= 30 && took < 30.1, "closed after " + took + " s");
        }
        stop();
        assertTrue(log.contains("closed: no complete line within 30 s: " + peerOf(log)), log.toString());
    }

    @AsyncioTest
    void aNormalClientIsUnaffected(EventLoop loop) throws IOException {
        int port = start();
        try (StreamConnection c = Streams.openConnection("127.0.0.1", port)) {
            for (int i = 0; i < 20; i++) {               // 400 s in all, a line every 20 s
                Asyncio.sleep(i == 0 ? 5 : 20);
                c.writer().write(b("line " + i + "\r\n"));
                assertEquals("line " + i + "\r\n", s(c.reader().readUntil(b("\n"))));
            }
            assertTrue(loop.time() > 300);
            c.writer().write(b("quit\n"));
            assertEquals("bye\r\n", s(c.reader().read(-1)));
        }
        stop();
        assertFalse(log.stream().anyMatch(l -> l.contains("closed by the server") || l.contains("no complete line")),
                log.toString());
    }

    @AsyncioTest
    void aClientThatStopsReadingItsEchoesIsClosedOnceNothingMoves(EventLoop loop) throws IOException {
        int port = start();
        try (StreamConnection c = Streams.openConnection("127.0.0.1", port)) {
            // Never reads an echo: its reader fills up to its bound, then stops reading the socket.
            Task<Void> flood = Asyncio.createTask(() -> {
                byte[] lines = b("0123456789\n".repeat(1000));
                try {
                    for (;;) {
                        c.writer().write(lines);
                        c.writer().drain();
                    }
                } catch (IOException closed) {
                    // the server gave up on us
                }
                return null;
            });
            double t0 = loop.time();
            flood.await();
            assertTrue(loop.time() - t0 >= 30, "closed after " + (loop.time() - t0) + " s");
        }
        stop();
        assertTrue(log.stream().anyMatch(l -> l.startsWith("lost (connection closed by the server: idle for 30 s")),
                log.toString());
    }

    /** The peer address a "connected: PEER" line names (one client per test). */
    private static String peerOf(List<String> log) {
        for (String l : log) {
            if (l.startsWith("connected: ")) {
                return l.substring("connected: ".length());
            }
        }
        return "?";
    }
}
