package io.jasyncio.http.client;

import static io.jasyncio.http.client.TestServer.ascii;
import static io.jasyncio.http.client.TestServer.respond;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jasyncio.Asyncio;
import io.jasyncio.CancelledError;
import io.jasyncio.EventLoop;
import io.jasyncio.Task;
import io.jasyncio.net.Server;
import io.jasyncio.streams.StreamWriter;
import io.jasyncio.test.AsyncioTest;

/**
 * Stale kept-alive connections, servers that misbehave, and cancellation at every await: each
 * leaves the pool with no half-read connection (checked through the session's counts and
 * through what the next request sees).
 */
class FaultAndCancellationTest {

    /** Answers the first request of each connection, then reads the next one and closes without a word. */
    private static TestServer oneAnswerPerConnection() throws Exception {
        java.util.Set<Integer> answered = new java.util.HashSet<>();
        return TestServer.start((r, w, in) -> {
            if (!answered.add(r.connection())) {
                return false;
            }
            respond(w, 200, "answer " + r.index() + " on " + r.connection());
            return true;
        });
    }

    @AsyncioTest
    void anIdempotentRequestOnAConnectionTheServerClosedIsRetriedOnce() throws Exception {
        try (TestServer srv = oneAnswerPerConnection(); ClientSession session = ClientSession.create()) {
            try (ClientResponse r = session.get(srv.url("/1"))) {
                assertEquals("answer 0 on 1", r.text());
            }
            try (ClientResponse r = session.get(srv.url("/2"))) {
                assertEquals("answer 2 on 2", r.text());
                assertFalse(r.reusedConnection());
            }
            assertEquals(2, srv.connections);
        }
    }

    @AsyncioTest
    void aPostOnAConnectionTheServerClosedRaisesClearly() throws Exception {
        try (TestServer srv = oneAnswerPerConnection(); ClientSession session = ClientSession.create()) {
            session.get(srv.url("/1")).close();
            ServerDisconnectedException e = assertThrows(ServerDisconnectedException.class,
                    () -> session.post(srv.url("/2"), RequestBody.text("x")));
            assertTrue(e.getMessage().contains("POST is not idempotent, so it was not retried"), e.getMessage());
            assertEquals(0, session.openConnections());
        }
    }

    @AsyncioTest
    void aServerClosingAnIdleConnectionIsNoticedBeforeReuse() throws Exception {
        try (TestServer srv = TestServer.start((r, w, in) -> {
                    respond(w, 200, "once");
                    return false;  // closes after answering, though HTTP/1.1 said keep-alive
                });
             ClientSession session = ClientSession.create()) {
            session.get(srv.url("/")).close();
            Asyncio.sleep(0.1);
            assertEquals(0, session.idleConnections(), "the close was seen while idle");
            try (ClientResponse r = session.post(srv.url("/"), RequestBody.text("x"))) {
                assertEquals("once", r.text());
            }
        }
    }

    @AsyncioTest
    void aResetInTheMiddleOfTheBodyIsAPayloadError() throws Exception {
        try (TestServer srv = TestServer.start((r, w, in) -> {
                    w.write(ascii("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789"));
                    w.drain();
                    Asyncio.sleep(0.5);
                    w.transport().abort();
                    return false;
                });
             ClientSession session = ClientSession.create()) {
            try (ClientResponse r = session.get(srv.url("/reset"))) {
                ClientPayloadException e = assertThrows(ClientPayloadException.class, r::read);
                assertTrue(e.getMessage().contains("was cut short (Content-Length 100)"), e.getMessage());
            }
            assertEquals(0, session.openConnections());
        }
    }

    @AsyncioTest
    void aShortChunkedBodyIsAPayloadError() throws Exception {
        try (TestServer srv = TestServer.start((r, w, in) -> {
                    w.write(ascii("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n"));
                    return false;
                });
             ClientSession session = ClientSession.create()) {
            try (ClientResponse r = session.get(srv.url("/short"))) {
                assertThrows(ClientPayloadException.class, r::text);
            }
            assertEquals(0, session.openConnections());
        }
    }

    @AsyncioTest
    void garbageIsAPayloadErrorNamingTheRule() throws Exception {
        try (TestServer srv = TestServer.start((r, w, in) -> {
                    w.write(ascii("SSH-2.0-OpenSSH_9.6\r\n\r\n"));
                    return true;
                });
             ClientSession session = ClientSession.create()) {
            ClientPayloadException e = assertThrows(ClientPayloadException.class, () -> session.get(srv.url("/")));
            assertTrue(e.getMessage().startsWith("malformed response to GET " + srv.url("/")), e.getMessage());
            assertTrue(e.getCause() instanceof io.jasyncio.http.HttpParseException);
            assertEquals(0, session.openConnections());
        }
    }

    @AsyncioTest
    void aServerThatClosesWithoutAnsweringANewConnection() throws Exception {
        try (TestServer srv = TestServer.start((r, w, in) -> false);
             ClientSession session = ClientSession.create()) {
            ServerDisconnectedException e = assertThrows(ServerDisconnectedException.class, () -> session.get(srv.url("/")));
            assertTrue(e.getMessage().contains("without answering GET"), e.getMessage());
            assertEquals(1, srv.connections, "a new connection is not retried");
        }
    }

    // ---- cancellation at each await

    private static void assertPoolClean(ClientSession session, TestServer srv) throws Exception {
        assertEquals(0, session.openConnections(), "nothing left open");
        try (ClientResponse r = session.get(srv.url("/after"))) {
            assertEquals("fine", r.text(), "the next request gets a clean connection");
        }
    }

    private static TestServer serverThatHangsOn(String path) throws Exception {
        return TestServer.start((r, w, in) -> {
            if (r.target().equals("/after")) {
                respond(w, 200, "fine");
                return true;
            }
            if (r.target().equals("/body")) {
                w.write(ascii("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n01234"));
                w.drain();
            }
            Asyncio.sleep(3600);
            return false;
        });
    }

    @AsyncioTest
    void cancellingWhileWaitingForTheHeadClosesTheConnection() throws Exception {
        try (TestServer srv = serverThatHangsOn("/head"); ClientSession session = ClientSession.create()) {
            Task<Integer> t = Asyncio.createTask(() -> session.get(srv.url("/head")).status());
            Asyncio.sleep(1);
            t.cancel();
            assertThrows(CancelledError.class, t::await);
            assertPoolClean(session, srv);
        }
    }

    @AsyncioTest
    void cancellingWhileReadingTheBodyClosesTheConnection() throws Exception {
        try (TestServer srv = serverThatHangsOn("/body"); ClientSession session = ClientSession.create()) {
            Task<byte[]> t = Asyncio.createTask(() -> {
                try (ClientResponse r = session.get(srv.url("/body"))) {
                    return r.read();
                }
            });
            Asyncio.sleep(1);
            t.cancel();
            assertThrows(CancelledError.class, t::await);
            assertPoolClean(session, srv);
        }
    }

    @AsyncioTest
    void cancellingWhileSendingAStreamedBodyClosesTheConnection() throws Exception {
        try (TestServer srv = serverThatHangsOn("/up"); ClientSession session = ClientSession.create()) {
            Task<Integer> t = Asyncio.createTask(() -> session.post(srv.url("/up"), RequestBody.stream(() -> {
                Asyncio.sleep(10);
                return "x".getBytes();
            }, null)).status());
            Asyncio.sleep(1);
            t.cancel();
            assertThrows(CancelledError.class, t::await);
            assertPoolClean(session, srv);
        }
    }

    @AsyncioTest
    void cancellingWhileWaitingForThePoolGivesUpTheQueuePlace() throws Exception {
        try (TestServer srv = serverThatHangsOn("/head");
             ClientSession session = ClientSession.builder()
                     .connector(ConnectorOptions.builder().limit(1).build()).build()) {
            Task<Integer> holder = Asyncio.createTask(() -> session.get(srv.url("/head")).status());
            Asyncio.sleep(0.5);
            Task<Integer> waiting = Asyncio.createTask(() -> session.get(srv.url("/after")).status());
            Asyncio.sleep(0.5);
            waiting.cancel();
            assertThrows(CancelledError.class, waiting::await);
            holder.cancel();
            assertThrows(CancelledError.class, holder::await);
            assertPoolClean(session, srv);
        }
    }

    @AsyncioTest
    void cancellingDuringTheTlsHandshakeClosesTheSocket(EventLoop loop) throws Exception {
        Server mute = Asyncio.startServer((in, w) -> in.read(-1), "127.0.0.1", 0);
        try (ClientSession session = ClientSession.create()) {
            Task<Integer> t = Asyncio.createTask(() -> session.get("https://127.0.0.1:" + mute.port() + "/").status());
            Asyncio.sleep(1);
            t.cancel();
            assertThrows(CancelledError.class, t::await);
            assertEquals(0, session.openConnections());
        } finally {
            mute.close();
            mute.abortClients();
            mute.waitClosed();
        }
    }

    @AsyncioTest
    void cancellingWhileConnectingGivesTheSlotBack() throws Exception {
        try (FullQueue jam = Asyncio.toThread(FullQueue::new);
             ClientSession session = ClientSession.builder()
                     .connector(ConnectorOptions.builder().limit(1).build()).build()) {
            Task<Integer> t = Asyncio.createTask(() -> session.get("http://127.0.0.1:" + jam.port() + "/").status());
            Asyncio.sleep(1);
            assertEquals(1, session.openConnections(), "the connect holds the only slot");
            t.cancel();
            assertThrows(CancelledError.class, t::await);
            assertEquals(0, session.openConnections(), "the slot is free again");
        }
    }

    @SuppressWarnings("unused")
    private static void unused(StreamWriter w) {
    }
}
