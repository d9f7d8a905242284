package io.jasyncio.http.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jasyncio.Asyncio;
import io.jasyncio.test.AsyncioSettings;
import io.jasyncio.test.AsyncioTest;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/** Refusals with their statuses, body limits, 100-continue, forms and body flow control. */
@AsyncioSettings(virtualTime = false, timeout = 60)
class ServerLimitsTest {
    static final AtomicInteger bodyReads = new AtomicInteger();

    static Application app() {
        Application app = new Application();
        app.router().get("/", r -> Response.text("ok"));
        app.router().post("/echo", r -> {
            bodyReads.incrementAndGet();
            return Response.bytes(r.bytes(), "application/octet-stream");
        });
        app.router().post("/small", r -> Response.text("n=" + r.bytes().length)).bodyLimit(10);
        app.router().post("/ignore", r -> Response.text("not read"));
        app.router().post("/form", r -> {
            MultiMap<Object> f = r.post();
            StringBuilder b = new StringBuilder();
            for (String n : f.names()) {
                Object v = f.get(n);
                b.append(n).append('=').append(v instanceof FileField ff ? ff.filename() + ":" + new String(ff.content(), StandardCharsets.UTF_8) : v).append(';');
            }
            return Response.text(b.toString());
        });
        app.router().post("/json", r -> Response.json(r.json().get("a")));
        return app;
    }

    /** Sends {@code raw}, expects {@code status} with {@code Connection: close}, and the connection closed. */
    static void refused(int port, String raw, int status) throws Exception {
        try (RawClient c = RawClient.open(port)) {
            c.send(raw);
            RawClient.Resp r = c.read("GET");
            assertEquals(status, r.status(), raw);
            assertEquals("close", r.header("Connection"));
            assertTrue(c.closedByServer());
        }
    }

    @AsyncioTest
    void parserRefusalsAreAnsweredWithTheirStatusAndClosed() throws Exception {
        try (HttpServer srv = HttpServer.start(app(), "127.0.0.1", 0)) {
            int p = srv.port();
            refused(p, "GET / HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n", 400);
            refused(p, "GET / HTTP/1.1\r\nHost : t\r\n\r\n", 400);
            refused(p, "GET / HTTP/1.1\r\nHost: t\r\n folded\r\n\r\n", 400);
            refused(p, "GET /" + "a".repeat(9000) + " HTTP/1.1\r\nHost: t\r\n\r\n", 414);
            refused(p, "GET / HTTP/1.1\r\nHost: t\r\nX: " + "b".repeat(9000) + "\r\n\r\n", 431);
            refused(p, "GET / HTTP/2.0\r\nHost: t\r\n\r\n", 505);
            refused(p, "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n", 501);
            refused(p, "GET / HTTP/1.1\r\n\r\n", 400); // HTTP/1.1 without Host
            refused(p, "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400);
            refused(p, "GET /%zz HTTP/1.1\r\nHost: t\r\n\r\n", 400);
            StringBuilder many = new StringBuilder("GET / HTTP/1.1\r\nHost: t\r\n");
            for (int i = 0; i < 101; i++) {
                many.append("X-").append(i).append(": v\r\n");
            }
            refused(p, many.append("\r\n").toString(), 431);
            // the server still answers others
            try (RawClient c = RawClient.open(p)) {
                assertEquals("ok", c.get("/").text());
            }
        }
    }

    @AsyncioTest
    void aBadPipelinedRequestIsRefusedAfterTheGoodOnesBeforeIt() throws Exception {
        try (HttpServer srv = HttpServer.start(app(), "127.0.0.1", 0); RawClient c = RawClient.open(srv.port())) {
            c.send("GET / HTTP/1.1\r\nHost: t\r\n\r\nGET / HTTP/1.1\r\nHost: t\r\n\r\nGET / HTTP/1.1\r\nHost\r\n\r\n");
            assertEquals("ok", c.read("GET").text());
            assertEquals("ok", c.read("GET").text());
            assertEquals(400, c.read("GET").status());
            assertTrue(c.closedByServer());
        }
    }

    @AsyncioTest
    void contentLengthOverTheLimitIs413BeforeReadingAndWithoutContinue() throws Exception {
        bodyReads.set(0);
        try (HttpServer srv = HttpServer.start(app(), "127.0.0.1", 0)) {
            try (RawClient c = RawClient.open(srv.port())) {
                c.send("POST /small HTTP/1.1\r\nHost: t\r\nContent-Length: 11\r\nExpect: 100-continue\r\n\r\n");
                RawClient.Resp r = c.read("POST", true);
                assertEquals(413, r.status()); // no 100 came first
                assertTrue(c.closedByServer());
            }
            try (RawClient c = RawClient.open(srv.port())) {
                c.send("POST /small HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\n0123456789");
                assertEquals("n=10", c.read("POST").text());
            }
            try (RawClient c = RawClient.open(srv.port())) { // chunked: refused when the total passes the limit
                c.send("POST /small HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n6\r\n012345\r\n6\r\n012345\r\n0\r\n\r\n");
                RawClient.Resp r = c.read("POST");
                assertEquals(413, r.status());
                assertEquals("close", r.header("Connection"));
            }
            try (RawClient c = RawClient.open(srv.port())) { // the default limit is 1 MiB
                c.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: " + ((1 << 20) + 1) + "\r\n\r\n");
                assertEquals(413, c.read("POST").status());
            }
            assertEquals(0, bodyReads.get());
        }
    }

    @AsyncioTest
    void continueIsSentOnlyWhenTheHandlerReadsTheBody() throws Exception {
        try (HttpServer srv = HttpServer.start(app(), "127.0.0.1", 0)) {
            try (RawClient c = RawClient.open(srv.port())) {
                c.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
                RawClient.Resp r = c.read("POST", true);
                assertEquals(100, r.status());
                c.send("hello");
                assertEquals("hello", c.read("POST").text());
            }
            try (RawClient c = RawClient.open(srv.port())) {
                c.send("POST /ignore HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
                RawClient.Resp r = c.read("POST", true);
                assertEquals(200, r.status()); // the handler never read: no 100, and the unread body closes the connection
                assertEquals("close", r.header("Connection"));
            }
        }
    }

    @AsyncioTest
    void sendContinueEarlyAnswersTheHeadAtOnce() throws Exception {
        io.jasyncio.sync.Event go = new io.jasyncio.sync.Event();
        Application app = new Application();
        app.router().post("/late", r -> {
            go.await(); // the handler has not read the body yet
            return Response.bytes(r.bytes(), null);
        });
        HttpServerOptions o = HttpServerOptions.builder().sendContinueEarly(true).build();
        try (HttpServer srv = HttpServer.start(app, "127.0.0.1", 0, o); RawClient c = RawClient.open(srv.port())) {
            c.send("POST /late HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\n");
            assertEquals(100, c.read("POST", true).status());
            c.send("hi");
            go.set();
            assertEquals("hi", c.read("POST").text());
        }
    }

    @AsyncioTest
    void chunkedUploadsFormsAndJson() throws Exception {
        try (HttpServer srv = HttpServer.start(app(), "127.0.0.1", 0); RawClient c = RawClient.open(srv.port())) {
            c.send("POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2;x=y\r\nde\r\n0\r\nT: v\r\n\r\n");
            assertEquals("abcde", c.read("POST").text());
            String form = "a=1&b=x+y%21&a=2";
            c.send("POST /form HTTP/1.1\r\nHost: t\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: "
                    + form.length() + "\r\n\r\n" + form);
            assertEquals("a=1;b=x y!;", c.read("POST").text());
            String mp = "--XX\r\nContent-Disposition: form-data; name=\"t\"\r\n\r\nhi there\r\n"
                    + "--XX\r\nContent-Disposition: form-data; name=\"f\"; filename=\"a.txt\"\r\nContent-Type: text/plain\r\n\r\nfile\r\nbody\r\n--XX--\r\n";
            c.send("POST /form HTTP/1.1\r\nHost: t\r\nContent-Type: multipart/form-data; boundary=XX\r\nContent-Length: "
                    + mp.length() + "\r\n\r\n" + mp);
            assertEquals("t=hi there;f=a.txt:file\r\nbody;", c.read("POST").text());
            String js = "{\"a\":[1,2]}";
            c.send("POST /json HTTP/1.1\r\nHost: t\r\nContent-Length: " + js.length() + "\r\n\r\n" + js);
            assertEquals("[1,2]", c.read("POST").text());
            c.send("POST /json HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\n{x]");
            assertEquals(400, c.read("POST").status());
        }
    }

    @AsyncioTest
    void aSlowReaderOfALargeUploadHoldsABoundedBuffer() throws Exception {
        AtomicLong maxUnread = new AtomicLong();
        AtomicLong total = new AtomicLong();
        Application app = new Application();
        app.router().post("/slow", r -> {
            BodyStream s = r.content();
            for (byte[] c; (c = s.read()) != null; ) {
                total.addAndGet(c.length);
                maxUnread.accumulateAndGet(r.exchange.body.unread(), Math::max);
                Asyncio.sleep(0.0005);
            }
            return Response.text("got " + total.get());
        }).bodyLimit(1L << 40);
        long size = 64L << 20; // 64 MiB through a 64 KiB window
        try (HttpServer srv = HttpServer.start(app, "127.0.0.1", 0); RawClient c = RawClient.open(srv.port())) {
            c.send("POST /slow HTTP/1.1\r\nHost: t\r\nContent-Length: " + size + "\r\n\r\n");
            byte[] block = new byte[256 * 1024];
            for (long sent = 0; sent < size; sent += block.length) {
                c.send(block);
            }
            assertEquals("got " + size, c.read("POST").text());
            assertTrue(maxUnread.get() <= 2 * 64 * 1024 + 65536, "unread body grew to " + maxUnread.get());
        }
    }

    @AsyncioTest
    void aResetInTheMiddleOfTheBodyFailsTheReadAndTheServerGoesOn() throws Exception {
        java.util.concurrent.CompletableFuture<Throwable> seen = new java.util.concurrent.CompletableFuture<>();
        Application app = new Application();
        app.router().get("/", r -> Response.text("ok"));
        app.router().post("/up", r -> {
            try {
                r.bytes();
                seen.complete(null);
            } catch (Exception e) {
                seen.complete(e);
                throw e;
            }
            return Response.text("done");
        });
        try (HttpServer srv = HttpServer.start(app, "127.0.0.1", 0)) {
            RawClient c = RawClient.open(srv.port());
            c.send("POST /up HTTP/1.1\r\nHost: t\r\nContent-Length: 100000\r\n\r\n" + "x".repeat(1000));
            Asyncio.sleep(0.05);
            c.conn.writer().transport().abort();
            Throwable t = Asyncio.wrapFuture(seen).await();
            assertTrue(t instanceof java.io.IOException, String.valueOf(t));
            try (RawClient d = RawClient.open(srv.port())) {
                assertEquals("ok", d.get("/").text());
            }
            for (int i = 0; i < 100 && srv.activeConnections() > 0; i++) {
                Asyncio.sleep(0.01);
            }
            assertEquals(0, srv.inFlight());
        }
    }

    @AsyncioTest
    void aHalfCloseAfterPipelinedRequestsGetsEveryAnswer() throws Exception {
        try (HttpServer srv = HttpServer.start(app(), "127.0.0.1", 0); RawClient c = RawClient.open(srv.port())) {
            c.send("GET / HTTP/1.1\r\nHost: t\r\n\r\nGET / HTTP/1.1\r\nHost: t\r\n\r\n");
            c.conn.writer().writeEof();
            assertEquals("ok", c.read("GET").text());
            assertEquals("ok", c.read("GET").text());
            assertTrue(c.closedByServer());
        }
    }

    @AsyncioTest
    @AsyncioSettings(timeout = 120)
    void randomGarbageIsRefusedOrTimedOutAndTheServerStaysWell() throws Exception {
        String[] pieces = {"GET / HTTP/1.1\r\n", "Host: t\r\n", "\r\n", "POST /echo HTTP/1.1\r\n", "Content-Length: 3\r\n",
            "Transfer-Encoding: chunked\r\n", "3\r\nabc\r\n", "0\r\n\r\n", "\n", "\r", " ", ":", "\u0000", "\u00ff", "HTTP/1.0",
            "Expect: 100-continue\r\n", "Connection: close\r\n", "GET /%", "ffffffffffffffffff\r\n", "abc"};
        long seed = Long.getLong("http.seed", 14L);
        java.util.Random rnd = new java.util.Random(seed);
        HttpServerOptions o = HttpServerOptions.builder().headerReadTimeout(2).keepAliveTimeout(2).bodyReadTimeout(2).build();
        try (HttpServer srv = HttpServer.start(app(), "127.0.0.1", 0, o)) {
            for (int round = 0; round < 150; round++) {
                StringBuilder b = new StringBuilder();
                for (int i = rnd.nextInt(12); i >= 0; i--) {
                    if (rnd.nextInt(4) == 0) {
                        for (int j = rnd.nextInt(20); j >= 0; j--) {
                            b.append((char) rnd.nextInt(256));
                        }
                    } else {
                        b.append(pieces[rnd.nextInt(pieces.length)]);
                    }
                }
                try (RawClient c = RawClient.open(srv.port())) {
                    c.send(b.toString());
                    byte[] all = c.readToEof(); // the server must end every connection by itself
                    String text = new String(all, StandardCharsets.ISO_8859_1);
                    assertTrue(text.isEmpty() || text.startsWith("HTTP/1.1 "), "seed " + seed + " round " + round + ": " + text);
                    assertFalse(text.contains("Exception"), text);
                }
            }
            try (RawClient c = RawClient.open(srv.port())) {
                assertEquals("ok", c.get("/").text());
            }
            assertEquals(0, srv.inFlight());
        }
    }

    @AsyncioTest
    void oversizeHeadIsRefusedWithoutBufferingIt() throws Exception {
        try (HttpServer srv = HttpServer.start(app(), "127.0.0.1", 0); RawClient c = RawClient.open(srv.port())) {
            StringBuilder b = new StringBuilder("GET / HTTP/1.1\r\nHost: t\r\n");
            for (int i = 0; i < 90; i++) {
                b.append("X-").append(i).append(": ").append("v".repeat(1000)).append("\r\n");
            }
            c.send(b.toString());
            RawClient.Resp r = c.read("GET");
            assertEquals(431, r.status());
            assertFalse(r.text().contains("vvvv"));
        }
    }
}
