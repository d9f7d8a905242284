package io.jasyncio.net;

import static io.jasyncio.net.NetLoops.loop;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jasyncio.Asyncio;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A server's idle and first-byte timeouts ({@link ServerOptions#idleTimeout()},
 * {@link ServerOptions#firstByteTimeout()}), on virtual time over real loopback sockets: the
 * loop's timers drive them, so the clock says exactly when a connection was closed.
 */
@Timeout(30)
class ServerTimeoutTest {
    /** Server-side protocols, in the order the connections were accepted. */
    private final List<Recorder> accepted = new ArrayList<>();

    private Server listen(ServerOptions o) throws Exception {
        return loop().createServer(() -> {
            Recorder r = new Recorder();
            accepted.add(r);
            return r;
        }, "127.0.0.1", 0, o);
    }

    private static void closeServer(Server s) {
        s.close();
        s.waitClosed();
    }

    private static void assertTimedOut(Recorder r, String why) {
        assertInstanceOf(SocketTimeoutException.class, r.lostWith, String.valueOf(r.lostWith));
        assertEquals("connection closed by the server: " + why, r.lostWith.getMessage());
    }

    @Test
    void aClientThatSendsNothingIsClosedAtTheFirstByteTimeout() {
        NetLoops.run(() -> {
            Server srv = listen(ServerOptions.builder().firstByteTimeout(Duration.ofSeconds(5)).build());
            double t0 = loop().time();
            Endpoint<Recorder> c = loop().createConnection(Recorder::new, "127.0.0.1", srv.port());
            c.protocol().lost.await();
            double took = loop().time() - t0;
            assertTrue(took >= 5 && took < 5.1, "closed after " + took + " s");
            assertNull(c.protocol().lostWith, "the client sees an orderly close: " + c.protocol().lostWith);
            assertTimedOut(accepted.get(0), "no byte received within 5 s of connecting");
            closeServer(srv);
        });
    }

    @Test
    void theFirstByteDisarmsTheFirstByteTimeout() {
        NetLoops.run(() -> {
            Server srv = listen(ServerOptions.builder().firstByteTimeout(Duration.ofSeconds(5)).build());
            Endpoint<Recorder> c = loop().createConnection(Recorder::new, "127.0.0.1", srv.port());
            c.transport().write(new byte[] {'x'});
            Asyncio.sleep(60);
            assertFalse(c.protocol().lost.isDone(), "a client that spoke is not closed by the first-byte timeout");
            assertEquals(1, srv.activeConnections());
            c.transport().close();
            c.protocol().lost.await();
            closeServer(srv);
        });
    }

    @Test
    void aTrickleBelowTheIdleTimeoutKeepsTheConnectionAndSilenceEndsIt() {
        NetLoops.run(() -> {
            Server srv = listen(ServerOptions.builder().idleTimeout(Duration.ofSeconds(3)).build());
            Endpoint<Recorder> c = loop().createConnection(Recorder::new, "127.0.0.1", srv.port());
            for (int i = 0; i < 10; i++) {               // 20 s in all, never 3 s without a byte
                c.transport().write(new byte[] {'.'});
                Asyncio.sleep(2);
            }
            assertFalse(c.protocol().lost.isDone(), "closed while the client was still sending");
            double last = loop().time() - 2;             // the last byte went out 2 s ago
            c.protocol().lost.await();
            double idle = loop().time() - last;
            assertTrue(idle >= 3 && idle < 3.1, "closed " + idle + " s after the last byte");
            assertEquals(10, accepted.get(0).received.size());
            assertTimedOut(accepted.get(0), "idle for 3 s (no byte received or sent)");
            closeServer(srv);
        });
    }

    @Test
    void aServerStillWritingToAQuietClientIsNotIdle() {
        NetLoops.run(() -> {
            Server srv = listen(ServerOptions.builder().idleTimeout(Duration.ofSeconds(3)).build());
            Endpoint<Recorder> c = loop().createConnection(Recorder::new, "127.0.0.1", srv.port());
            while (accepted.isEmpty() || accepted.get(0).transport == null) {
                Asyncio.sleep(0.01);
            }
            Transport server = accepted.get(0).transport;
            for (int i = 0; i < 10; i++) {               // the server streams, the client only reads
                server.write(new byte[] {'#'});
                Asyncio.sleep(2);
            }
            assertFalse(c.protocol().lost.isDone(), "closed while the server was still writing");
            c.protocol().awaitBytes(10);
            c.protocol().lost.await();
            assertTimedOut(accepted.get(0), "idle for 3 s (no byte received or sent)");
            closeServer(srv);
        });
    }

    @Test
    void aClientThatStopsReadingIsClosedOnceNothingMoves() {
        NetLoops.run(() -> {
            Server srv = listen(ServerOptions.builder().idleTimeout(Duration.ofSeconds(3)).build());
            Endpoint<Recorder> c = loop().createConnection(Recorder::new, "127.0.0.1", srv.port());
            c.transport().pauseReading();
            while (accepted.isEmpty() || accepted.get(0).transport == null) {
                Asyncio.sleep(0.01);
            }
            Transport server = accepted.get(0).transport;
            // Far more than the kernel buffers on both ends: the rest waits in the write buffer.
            byte[] chunk = new byte[1 << 20];
            for (int i = 0; i < 64 && server.getWriteBufferSize() == 0; i++) {
                server.write(chunk);
            }
            assertTrue(server.getWriteBufferSize() > 0, "the kernel took it all");
            double t0 = loop().time();
            accepted.get(0).lost.await();
            double took = loop().time() - t0;
            assertTrue(took >= 3 && took < 3.1, "closed after " + took + " s");
            assertTimedOut(accepted.get(0), "idle for 3 s (no byte received or sent)");
            c.transport().abort();
            c.protocol().lost.await();
            closeServer(srv);
        });
    }

    @Test
    void timeTheServerHoldsReadingBackDoesNotCount() {
        NetLoops.run(() -> {
            Server srv = listen(ServerOptions.builder().idleTimeout(Duration.ofSeconds(3)).build());
            Endpoint<Recorder> c = loop().createConnection(Recorder::new, "127.0.0.1", srv.port());
            while (accepted.isEmpty() || accepted.get(0).transport == null) {
                Asyncio.sleep(0.01);
            }
            Transport server = accepted.get(0).transport;
            server.pauseReading();                       // the application is busy: not the client's fault
            Asyncio.sleep(30);
            assertFalse(c.protocol().lost.isDone(), "closed while the server held reading back");
            server.resumeReading();
            double t0 = loop().time();
            c.protocol().lost.await();
            double took = loop().time() - t0;
            assertTrue(took >= 3 && took < 3.1, "closed " + took + " s after reading resumed");
            closeServer(srv);
        });
    }

    @Test
    void withoutTimeoutsASilentClientStays() {
        NetLoops.run(() -> {
            Server srv = listen(ServerOptions.DEFAULTS);
            Endpoint<Recorder> c = loop().createConnection(Recorder::new, "127.0.0.1", srv.port());
            Asyncio.sleep(3600);
            assertFalse(c.protocol().lost.isDone());
            c.transport().close();
            c.protocol().lost.await();
            closeServer(srv);
        });
    }

    @Test
    void theTimeoutsMustBePositive() {
        for (Duration d : List.of(Duration.ZERO, Duration.ofSeconds(-1))) {
            IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> ServerOptions.builder().idleTimeout(d).build());
            assertTrue(e.getMessage().startsWith("idleTimeout must be positive"), e.getMessage());
            org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> ServerOptions.builder().firstByteTimeout(d).build());
        }
    }
}
