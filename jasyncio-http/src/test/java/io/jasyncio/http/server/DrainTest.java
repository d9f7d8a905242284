package io.jasyncio.http.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jasyncio.EventLoop;
import io.jasyncio.test.AsyncioSettings;
import io.jasyncio.test.AsyncioTest;

/** A response sent before its request's body was read: a small rest is read and dropped and the connection kept. */
@AsyncioSettings(timeout = 60)
class DrainTest {

    static Application app() {
        Application app = new Application();
        app.router().get("/", r -> Response.text("ok"));
        app.router().post("/ignore", r -> Response.text("ignored"));
        return app;
    }

    /** A body that would be a request of its own if the server parsed it as one. */
    static String smuggled(int length) {
        String s = "GET /smuggled HTTP/1.1\r\nHost: t\r\n\r\n";
        return s + "x".repeat(length - s.length());
    }

    @AsyncioTest
    void aSmallUnreadRestIsDroppedAndTheConnectionKept() throws Exception {
        try (HttpServer srv = HttpServer.start(app(), "127.0.0.1", 0); RawClient c = RawClient.open(srv.port())) {
            String body = smuggled(1000);
            c.send("POST /ignore HTTP/1.1\r\nHost: t\r\nContent-Length: 1000\r\n\r\n" + body.substring(0, 300));
            RawClient.Resp r = c.read("POST");
            assertEquals("ignored", r.text());
            assertNull(r.header("Connection"), "the connection is kept");
            c.send(body.substring(300) + "GET / HTTP/1.1\r\nHost: t\r\n\r\n");
            r = c.read("GET");
            assertEquals(200, r.status()); // not the 404 of /smuggled: the body was dropped, not parsed
            assertEquals("ok", r.text());
            assertEquals(1, srv.activeConnections());
        }
    }

    @AsyncioTest
    void aRestOverTheBodyBufferOrAnUnansweredExpectStillCloses() throws Exception {
        try (HttpServer srv = HttpServer.start(app(), "127.0.0.1", 0); RawClient c = RawClient.open(srv.port())) {
            c.send("POST /ignore HTTP/1.1\r\nHost: t\r\nContent-Length: 100000\r\n\r\n" + "x".repeat(10));
            RawClient.Resp r = c.read("POST");
            assertEquals("close", r.header("Connection"));
            assertTrue(c.closedByServer());
        }
        try (HttpServer srv = HttpServer.start(app(), "127.0.0.1", 0); RawClient c = RawClient.open(srv.port())) {
            c.send("POST /ignore HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\nExpect: 100-continue\r\n\r\n");
            RawClient.Resp r = c.read("POST");
            assertEquals("close", r.header("Connection")); // the client may never send a body it was not asked for
            assertTrue(c.closedByServer());
        }
    }

    @AsyncioTest
    void aRestThatStallsIsClosedSilentlyAtTheBodyReadTimeout(EventLoop loop) throws Exception {
        HttpServerOptions o = HttpServerOptions.builder().bodyReadTimeout(7).keepAliveTimeout(60).build();
        try (HttpServer srv = HttpServer.start(app(), "127.0.0.1", 0, o); RawClient c = RawClient.open(srv.port())) {
            c.send("POST /ignore HTTP/1.1\r\nHost: t\r\nContent-Length: 1000\r\n\r\n" + "x".repeat(10));
            assertEquals("ignored", c.read("POST").text());
            double t0 = loop.time();
            assertEquals(0, c.readToEof().length, "nothing more is sent");
            assertEquals(7.0, loop.time() - t0, 0.5);
        }
    }
}
