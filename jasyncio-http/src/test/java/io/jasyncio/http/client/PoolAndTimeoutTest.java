package io.jasyncio.http.client;

import static io.jasyncio.http.client.TestServer.ascii;
import static io.jasyncio.http.client.TestServer.respond;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jasyncio.Asyncio;
import io.jasyncio.EventLoop;
import io.jasyncio.Task;
import io.jasyncio.net.Server;
import io.jasyncio.test.AsyncioTest;
import java.util.ArrayList;
import java.util.List;

/**
 * The pool's limits and idle expiry, and each timeout of {@link ClientTimeout} firing alone with
 * its own exception, on virtual time over loopback.
 */
class PoolAndTimeoutTest {

    private static TestServer slowServer(double seconds) throws Exception {
        return TestServer.start((r, w, in) -> {
            Asyncio.sleep(seconds);
            respond(w, 200, "done " + r.target());
            return true;
        });
    }

    @AsyncioTest
    void thePerHostLimitQueuesRequestsOnOneConnection(EventLoop loop) throws Exception {
        try (TestServer s = slowServer(1);
             ClientSession session = ClientSession.builder()
                     .connector(ConnectorOptions.builder().limitPerHost(1).build()).build()) {
            List<Task<String>> tasks = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                int n = i;
                tasks.add(Asyncio.createTask(() -> {
                    try (ClientResponse r = session.get(s.url("/" + n))) {
                        return r.text();
                    }
                }));
            }
            for (int i = 0; i < 3; i++) {
                assertEquals("done /" + i, tasks.get(i).await());
            }
            assertEquals(1, s.connections);
            assertEquals(3.0, loop.time(), 0.05, "one after another");
        }
    }

    @AsyncioTest
    void theTotalLimitSpansHosts(EventLoop loop) throws Exception {
        try (TestServer a = slowServer(1); TestServer b = slowServer(1);
             ClientSession session = ClientSession.builder()
                     .connector(ConnectorOptions.builder().limit(1).build()).build()) {
            Task<String> ta = Asyncio.createTask(() -> {
                try (ClientResponse r = session.get(a.url("/a"))) {
                    return r.text();
                }
            });
            Task<String> tb = Asyncio.createTask(() -> {
                try (ClientResponse r = session.get(b.url("/b"))) {
                    return r.text();
                }
            });
            assertEquals("done /a", ta.await());
            assertEquals("done /b", tb.await());
            assertEquals(2.0, loop.time(), 0.05);
            assertEquals(1, session.openConnections(), "a's idle connection was closed to make room for b");
        }
    }

    @AsyncioTest
    void waitingForThePoolIsNotChargedToTheConnectTimeout(EventLoop loop) throws Exception {
        // aiohttp issues 2648 and 10313: a 1 s connect limit must not fire for a 5 s wait in the queue.
        try (TestServer s = slowServer(5);
             ClientSession session = ClientSession.builder()
                     .connector(ConnectorOptions.builder().limit(1).build())
                     .timeout(ClientTimeout.DEFAULT.withConnect(1)).build()) {
            Task<String> first = Asyncio.createTask(() -> {
                try (ClientResponse r = session.get(s.url("/first"))) {
                    return r.text();
                }
            });
            Asyncio.sleep(0.5);
            try (ClientResponse r = session.get(s.url("/second"))) {
                assertEquals("done /second", r.text());
            }
            assertEquals("done /first", first.await());
            assertEquals(10.0, loop.time(), 0.05);
        }
    }

    @AsyncioTest
    void thePoolAcquireTimeoutNamesItselfAndTheUrl(EventLoop loop) throws Exception {
        try (TestServer s = slowServer(10);
             ClientSession session = ClientSession.builder()
                     .connector(ConnectorOptions.builder().limit(1).build())
                     .timeout(ClientTimeout.DEFAULT.withPoolAcquire(2)).build()) {
            Task<String> first = Asyncio.createTask(() -> {
                try (ClientResponse r = session.get(s.url("/first"))) {
                    return r.text();
                }
            });
            Asyncio.sleep(0.5);
            PoolAcquireTimeoutException e = assertThrows(PoolAcquireTimeoutException.class,
                    () -> session.get(s.url("/second")));
            assertEquals(ClientTimeout.Kind.POOL_ACQUIRE, e.kind());
            assertEquals(s.url("/second"), e.url());
            assertTrue(e.getMessage().startsWith("pool-acquire timeout (2.0 s) expired for GET " + s.url("/second")),
                    e.getMessage());
            assertEquals(2.5, loop.time(), 0.01);
            assertEquals("done /first", first.await());
            assertEquals(1, s.requests.size());
        }
    }

    @AsyncioTest
    void idleConnectionsExpireOnTheLoopsTimer(EventLoop loop) throws Exception {
        try (TestServer s = slowServer(0);
             ClientSession session = ClientSession.builder()
                     .connector(ConnectorOptions.builder().keepAliveTimeout(5).build()).build()) {
            session.get(s.url("/")).close();
            assertEquals(1, session.idleConnections());
            Asyncio.sleep(4);
            assertEquals(1, session.idleConnections());
            Asyncio.sleep(1.5);
            assertEquals(0, session.idleConnections());
            assertEquals(0, session.openConnections());
            try (ClientResponse r = session.get(s.url("/"))) {
                assertTrue(!r.reusedConnection());
                r.read();
            }
            assertEquals(2, s.connections);
        }
    }

    @AsyncioTest
    void aServerThatNeverAnswersHitsTheSocketReadTimeout(EventLoop loop) throws Exception {
        try (TestServer s = slowServer(3600);
             ClientSession session = ClientSession.builder()
                     .timeout(ClientTimeout.DEFAULT.withSockRead(5)).build()) {
            SocketReadTimeoutException e = assertThrows(SocketReadTimeoutException.class, () -> session.get(s.url("/never")));
            assertEquals(5.0, loop.time(), 0.01);
            assertTrue(e.getMessage().contains("socket-read timeout (5.0 s) expired for GET " + s.url("/never")
                    + ": waiting for the response head"), e.getMessage());
            assertEquals(0, session.openConnections());
        }
    }

    @AsyncioTest
    void aTricklingServerIsCutByTheTotalTimeoutNotTheReadOne(EventLoop loop) throws Exception {
        try (TestServer s = TestServer.start((r, w, in) -> {
                    w.write(ascii("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n"));
                    for (int i = 0; i < 1000; i++) {
                        w.write(ascii("x"));
                        w.drain();
                        Asyncio.sleep(1);
                    }
                    return true;
                });
             ClientSession session = ClientSession.builder()
                     .timeout(ClientTimeout.DEFAULT.withSockRead(5).withTotal(30)).build()) {
            try (ClientResponse r = session.get(s.url("/trickle"))) {
                TotalTimeoutException e = assertThrows(TotalTimeoutException.class, r::read);
                assertTrue(e.getMessage().contains("total timeout (30.0 s) expired for GET " + s.url("/trickle")
                        + ": reading the body"), e.getMessage());
            }
            assertEquals(30.0, loop.time(), 0.01);
            assertEquals(0, session.openConnections());
        }
    }

    @AsyncioTest
    void aStalledTlsHandshakeHitsTheConnectTimeout(EventLoop loop) throws Exception {
        // A TCP server that accepts and never speaks: the TCP connect succeeds, TLS never completes.
        Server mute = Asyncio.startServer((in, w) -> in.read(-1), "127.0.0.1", 0);
        try (ClientSession session = ClientSession.builder()
                .timeout(ClientTimeout.DEFAULT.withConnect(3)).build()) {
            String url = "https://127.0.0.1:" + mute.port() + "/x";
            ConnectTimeoutException e = assertThrows(ConnectTimeoutException.class, () -> session.get(url));
            assertEquals(3.0, loop.time(), 0.01);
            assertTrue(e.getMessage().startsWith("connect timeout (3.0 s) expired for GET " + url
                    + ": connecting to 127.0.0.1:" + mute.port()), e.getMessage());
            assertEquals(0, session.openConnections());
        } finally {
            mute.close();
            mute.abortClients();
            mute.waitClosed();
        }
    }

    @AsyncioTest
    void aTotalTimeoutShorterThanTheConnectOneIsReportedAsTotal(EventLoop loop) throws Exception {
        Server mute = Asyncio.startServer((in, w) -> in.read(-1), "127.0.0.1", 0);
        try (ClientSession session = ClientSession.builder()
                .timeout(ClientTimeout.DEFAULT.withConnect(10).withTotal(2)).build()) {
            String url = "https://127.0.0.1:" + mute.port() + "/x";
            assertThrows(TotalTimeoutException.class, () -> session.get(url));
            assertEquals(2.0, loop.time(), 0.01);
        } finally {
            mute.close();
            mute.abortClients();
            mute.waitClosed();
        }
    }

    @AsyncioTest
    void aHangingTcpConnectHitsTheSocketConnectTimeout(EventLoop loop) throws Exception {
        try (FullQueue jam = Asyncio.toThread(FullQueue::new);
             ClientSession session = ClientSession.builder()
                     .timeout(ClientTimeout.DEFAULT.withSockConnect(2).withConnect(10)).build()) {
            double t0 = loop.time();
            String url = "http://127.0.0.1:" + jam.port() + "/";
            SocketConnectTimeoutException e = assertThrows(SocketConnectTimeoutException.class, () -> session.get(url));
            assertEquals(2.0, loop.time() - t0, 0.01);
            assertTrue(e.getMessage().startsWith("socket-connect timeout (2.0 s) expired for GET " + url), e.getMessage());
            assertEquals(0, session.openConnections());
        }
    }

    @AsyncioTest
    void aRefusedConnectIsAClientConnectionException() throws Exception {
        Server s = Asyncio.startServer((in, w) -> { }, "127.0.0.1", 0);
        int port = s.port();
        s.close();
        s.waitClosed();
        try (ClientSession session = ClientSession.create()) {
            ClientConnectionException e = assertThrows(ClientConnectionException.class,
                    () -> session.get("http://127.0.0.1:" + port + "/"));
            assertTrue(e.getMessage().contains("cannot connect to 127.0.0.1:" + port + " for GET"), e.getMessage());
            assertEquals(0, session.openConnections());
        }
    }
}
