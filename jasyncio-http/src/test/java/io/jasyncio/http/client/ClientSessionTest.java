package io.jasyncio.http.client;

import static io.jasyncio.http.client.TestServer.ascii;
import static io.jasyncio.http.client.TestServer.respond;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jasyncio.test.AsyncioTest;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPOutputStream;

/** The session and response API against a scripted server on loopback. */
class ClientSessionTest {

    @AsyncioTest
    void getReadsTextAndReusesTheConnection() throws Exception {
        try (TestServer s = TestServer.start((r, w, in) -> {
                    respond(w, 200, "hello " + r.target(), "Content-Type", "text/plain");
                    return true;
                });
             ClientSession session = ClientSession.create()) {
            try (ClientResponse r = session.get(s.url("/a"))) {
                assertEquals(200, r.status());
                assertEquals("text/plain", r.header("content-type"));
                assertEquals("hello /a", r.text());
                assertFalse(r.reusedConnection());
            }
            assertEquals(1, session.idleConnections());
            try (ClientResponse r = session.get(s.url("/b?x=1"))) {
                assertEquals("hello /b?x=1", r.text());
                assertTrue(r.reusedConnection());
            }
            assertEquals(1, s.connections);
            TestServer.Req req = s.requests.get(0);
            assertEquals("GET", req.method());
            assertEquals("127.0.0.1:" + s.port(), req.header("Host"));
            assertEquals("gzip, deflate", req.header("Accept-Encoding"));
        }
    }

    @AsyncioTest
    void baseUrlQueryDefaultHeadersAndJsonBothWays() throws Exception {
        try (TestServer s = TestServer.start((r, w, in) -> {
                    respond(w, 201, "{\"got\":" + r.text() + ",\"target\":\"" + r.target() + "\",\"token\":\""
                            + r.header("X-Token") + "\",\"type\":\"" + r.header("Content-Type") + "\"}",
                            "Content-Type", "application/json");
                    return true;
                })) {
            try (ClientSession session = ClientSession.builder().baseUrl(s.url("/api/")).header("X-Token", "t1").build();
                 ClientResponse r = session.request("POST", "items").query("q", "a b&c").query("n", 2)
                         .json(Map.of("name", "x")).send()) {
                assertEquals(201, r.status());
                @SuppressWarnings("unchecked")
                Map<String, Object> m = r.json(Map.class);
                assertEquals(Map.of("name", "x"), m.get("got"));
                assertEquals("/api/items?q=a%20b%26c&n=2", m.get("target"));
                assertEquals("t1", m.get("token"));
                assertEquals("application/json", m.get("type"));
            }
        }
    }

    @AsyncioTest
    void formBodiesAreUrlencoded() throws Exception {
        try (TestServer s = TestServer.start((r, w, in) -> {
                    respond(w, 200, r.header("Content-Type") + "|" + r.text());
                    return true;
                });
             ClientSession session = ClientSession.create()) {
            Map<String, String> form = new LinkedHashMap<>();
            form.put("a", "1 2");
            form.put("é", "x=y");
            try (ClientResponse r = session.post(s.url("/"), RequestBody.form(form))) {
                assertEquals("application/x-www-form-urlencoded|a=1+2&%C3%A9=x%3Dy", r.text());
            }
        }
    }

    @AsyncioTest
    void aStreamedBodyIsSentChunkedAndOneWithALengthIsNot() throws Exception {
        try (TestServer s = TestServer.start((r, w, in) -> {
                    respond(w, 200, r.header("Transfer-Encoding") + "|" + r.header("Content-Length") + "|" + r.text());
                    return true;
                });
             ClientSession session = ClientSession.create()) {
            List<String> parts = new ArrayList<>(List.of("one,", "two,", "three"));
            BodySource src = () -> parts.isEmpty() ? null : parts.remove(0).getBytes(StandardCharsets.UTF_8);
            try (ClientResponse r = session.post(s.url("/up"), RequestBody.stream(src, "text/plain"))) {
                assertEquals("chunked|null|one,two,three", r.text());
            }
            List<String> more = new ArrayList<>(List.of("ab", "cd"));
            BodySource src2 = () -> more.isEmpty() ? null : more.remove(0).getBytes(StandardCharsets.UTF_8);
            try (ClientResponse r = session.put(s.url("/up"), RequestBody.stream(src2, 4, null))) {
                assertEquals("null|4|abcd", r.text());
            }
            assertEquals(1, s.connections, "both on one kept-alive connection");
        }
    }

    private static byte[] gzip(byte[] b) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream g = new GZIPOutputStream(out)) {
            g.write(b);
        }
        return out.toByteArray();
    }

    private static byte[] zlib(byte[] b) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (DeflaterOutputStream d = new DeflaterOutputStream(out)) {
            d.write(b);
        }
        return out.toByteArray();
    }

    @AsyncioTest
    void gzipAndDeflateAreDecoded() throws Exception {
        String big = "line of text\n".repeat(5000);
        try (TestServer s = TestServer.start((r, w, in) -> {
                    byte[] raw = big.getBytes(StandardCharsets.UTF_8);
                    if (r.target().equals("/gzip")) {
                        respond(w, 200, gzip(raw), "Content-Encoding", "gzip");
                    } else {
                        respond(w, 200, zlib(raw), "Content-Encoding", "deflate");
                    }
                    return true;
                });
             ClientSession session = ClientSession.create()) {
            try (ClientResponse r = session.get(s.url("/gzip"))) {
                assertEquals(big, r.text());
            }
            try (ClientResponse r = session.get(s.url("/deflate"))) {
                assertEquals(big, r.text());
            }
            assertEquals(1, s.connections);
        }
    }

    @AsyncioTest
    void textTakesTheCharsetFromTheHeaderThenTheBomThenUtf8() throws Exception {
        try (TestServer s = TestServer.start((r, w, in) -> {
                    switch (r.target()) {
                        case "/latin1" -> respond(w, 200, "café".getBytes(StandardCharsets.ISO_8859_1),
                                "Content-Type", "text/plain; charset=\"ISO-8859-1\"");
                        case "/bom16" -> {
                            byte[] t = "ünï".getBytes(StandardCharsets.UTF_16LE);
                            byte[] b = new byte[t.length + 2];
                            b[0] = (byte) 0xFF;
                            b[1] = (byte) 0xFE;
                            System.arraycopy(t, 0, b, 2, t.length);
                            respond(w, 200, b, "Content-Type", "text/plain");
                        }
                        default -> respond(w, 200, "naïve ✓".getBytes(StandardCharsets.UTF_8));
                    }
                    return true;
                });
             ClientSession session = ClientSession.create()) {
            try (ClientResponse r = session.get(s.url("/latin1"))) {
                assertEquals("café", r.text());
            }
            try (ClientResponse r = session.get(s.url("/bom16"))) {
                assertEquals("ünï", r.text());
            }
            try (ClientResponse r = session.get(s.url("/utf8"))) {
                assertEquals("naïve ✓", r.text());
            }
        }
    }

    @AsyncioTest
    void theBodyStreamsByChunksLinesAndAsAnInputStream() throws Exception {
        try (TestServer s = TestServer.start((r, w, in) -> {
                    w.write(ascii("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"));
                    for (String piece : new String[] {"alpha\nbe", "ta\r\ngamma\n", "last"}) {
                        w.write(ascii(Integer.toHexString(piece.length()) + "\r\n" + piece + "\r\n"));
                        w.drain();
                        io.jasyncio.Asyncio.sleep(0.1);
                    }
                    w.write(ascii("0\r\n\r\n"));
                    return true;
                });
             ClientSession session = ClientSession.create()) {
            try (ClientResponse r = session.get(s.url("/lines"))) {
                List<String> lines = new ArrayList<>();
                String l;
                while ((l = r.readLine()) != null) {
                    lines.add(l);
                }
                assertEquals(List.of("alpha", "beta", "gamma", "last"), lines);
                assertTrue(r.isReleased());
            }
            try (ClientResponse r = session.get(s.url("/chunks"))) {
                List<String> chunks = new ArrayList<>();
                byte[] c;
                while ((c = r.readChunk()) != null) {
                    chunks.add(new String(c, StandardCharsets.UTF_8));
                }
                assertEquals(3, chunks.size(), chunks.toString());
                assertEquals("alpha\nbeta\r\ngamma\nlast", String.join("", chunks));
            }
            try (ClientResponse r = session.get(s.url("/stream")); InputStream body = r.bodyStream()) {
                assertEquals("alpha\nbeta\r\ngamma\nlast", new String(body.readAllBytes(), StandardCharsets.UTF_8));
            }
            assertEquals(1, s.connections);
            assertEquals(1, session.idleConnections());
        }
    }

    @AsyncioTest
    void aBodyOverTheLimitRaisesAndClosesTheConnection() throws Exception {
        try (TestServer s = TestServer.start((r, w, in) -> {
                    respond(w, 200, "x".repeat(r.target().equals("/big") ? 2000 : 10));
                    return true;
                });
             ClientSession session = ClientSession.builder().maxBodySize(1000).build()) {
            try (ClientResponse r = session.get(s.url("/big"))) {
                BodyTooLargeException e = assertThrows(BodyTooLargeException.class, r::read);
                assertEquals(1000, e.limit());
                assertTrue(e.getMessage().contains("/big") && e.getMessage().contains("1000 bytes"), e.getMessage());
            }
            assertEquals(0, session.openConnections());
            try (ClientResponse r = session.get(s.url("/small"))) {
                assertEquals(10, r.read().length);
            }
        }
    }

    @AsyncioTest
    void aDecompressionBombStopsAtTheLimit() throws Exception {
        byte[] bomb = gzip(new byte[4 << 20]);
        try (TestServer s = TestServer.start((r, w, in) -> {
                    respond(w, 200, bomb, "Content-Encoding", "gzip");
                    return true;
                });
             ClientSession session = ClientSession.builder().maxBodySize(100_000).build()) {
            assertTrue(bomb.length < 100_000, "the compressed body is under the limit: " + bomb.length);
            try (ClientResponse r = session.get(s.url("/bomb"))) {
                assertThrows(BodyTooLargeException.class, r::read);
            }
            assertEquals(0, session.openConnections());
        }
    }

    @AsyncioTest
    void bytesAfterAResponseMakeItsConnectionUnusable() throws Exception {
        try (TestServer s = TestServer.start((r, w, in) -> {
                    if (r.index() == 0) {
                        // one answer, and a second nobody asked for right behind it
                        w.write(ascii("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfirst"
                                + "HTTP/1.1 200 OK\r\nContent-Length: 8\r\n\r\nsmuggled"));
                    } else {
                        respond(w, 200, "honest");
                    }
                    return true;
                });
             ClientSession session = ClientSession.create()) {
            try (ClientResponse r = session.get(s.url("/1"))) {
                assertEquals("first", r.text());
            }
            try (ClientResponse r = session.get(s.url("/2"))) {
                assertEquals("honest", r.text());
                assertFalse(r.reusedConnection());
            }
            assertEquals(2, s.connections);
        }
    }

    @AsyncioTest
    void anUnreadBodyThatHasNotArrivedClosesTheConnectionOnRelease() throws Exception {
        try (TestServer s = TestServer.start((r, w, in) -> {
                    w.write(ascii("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789"));
                    w.drain();
                    in.read(-1);  // until the client goes
                    return false;
                });
             ClientSession session = ClientSession.create()) {
            try (ClientResponse r = session.get(s.url("/"))) {
                assertEquals(200, r.status());
            }
            assertEquals(0, session.openConnections());
            assertEquals(0, session.idleConnections());
        }
    }

    @AsyncioTest
    void headHasNoBodyAndKeepsTheConnection() throws Exception {
        try (TestServer s = TestServer.start((r, w, in) -> {
                    if (r.method().equals("HEAD")) {
                        w.write(ascii("HTTP/1.1 200 OK\r\nContent-Length: 12345\r\n\r\n"));
                    } else {
                        respond(w, 200, "body");
                    }
                    return true;
                });
             ClientSession session = ClientSession.create()) {
            try (ClientResponse r = session.head(s.url("/"))) {
                assertEquals(12345, r.contentLength());
                assertArrayEquals(new byte[0], r.read());
            }
            try (ClientResponse r = session.get(s.url("/"))) {
                assertEquals("body", r.text());
                assertTrue(r.reusedConnection());
            }
        }
    }

    @AsyncioTest
    void redirectsAreFollowedWithHistoryAndAuthorizationOnlyToTheSameOrigin() throws Exception {
        try (TestServer other = TestServer.start((r, w, in) -> {
                    respond(w, 200, "other auth=" + r.header("Authorization"));
                    return true;
                });
             TestServer s = TestServer.start((r, w, in) -> {
                    switch (r.target()) {
                        case "/start" -> respond(w, 302, "", "Location", "/middle");
                        case "/middle" -> respond(w, 307, "", "Location", "/end");
                        case "/end" -> respond(w, 200, "end auth=" + r.header("Authorization") + " " + r.method());
                        case "/away" -> respond(w, 301, "", "Location", other.url("/there"));
                        case "/post" -> respond(w, 303, "", "Location", "/end");
                        default -> respond(w, 302, "", "Location", "/loop" + (r.index() + 1));
                    }
                    return true;
                });
             ClientSession session = ClientSession.create()) {
            try (ClientResponse r = session.request("GET", s.url("/start")).header("Authorization", "Bearer x").send()) {
                assertEquals("end auth=Bearer x GET", r.text());
                assertEquals(List.of(302, 307), r.history().stream().map(ClientResponse::status).toList());
                assertEquals(s.url("/end"), r.url().toString());
            }
            try (ClientResponse r = session.request("GET", s.url("/away")).header("Authorization", "Bearer x").send()) {
                assertEquals("other auth=null", r.text());
                assertEquals(1, r.history().size());
            }
            try (ClientResponse r = session.post(s.url("/post"), RequestBody.text("data"))) {
                assertEquals("end auth=null GET", r.text());
            }
            TooManyRedirectsException e = assertThrows(TooManyRedirectsException.class, () -> session.get(s.url("/loop")));
            assertEquals(11, e.history().size());
            try (ClientResponse r = session.request("GET", s.url("/start")).allowRedirects(false).send()) {
                assertEquals(302, r.status());
            }
            assertEquals(1, s.connections, "redirect bodies were read, the connection reused");
        }
    }

    @AsyncioTest
    void raiseForStatus() throws Exception {
        try (TestServer s = TestServer.start((r, w, in) -> {
                    respond(w, 404, "nope");
                    return true;
                });
             ClientSession session = ClientSession.builder().raiseForStatus(true).build()) {
            ClientResponseException e = assertThrows(ClientResponseException.class, () -> session.get(s.url("/missing")));
            assertEquals(404, e.status());
            assertTrue(e.getMessage().contains("404") && e.getMessage().contains("/missing"), e.getMessage());
            try (ClientResponse r = session.request("GET", s.url("/missing")).raiseForStatus(false).send()) {
                assertFalse(r.ok());
                assertEquals("nope", r.text());
            }
        }
    }

    @AsyncioTest
    void expectContinueSendsTheBodyOnlyAfterTheServerAgrees() throws Exception {
        try (TestServer s = TestServer.start((r, w, in) -> {
                    respond(w, 200, "got " + r.text());
                    return true;
                });
             ClientSession session = ClientSession.create()) {
            try (ClientResponse r = session.request("PUT", s.url("/")).body(RequestBody.text("payload"))
                    .expectContinue(true).send()) {
                assertEquals("got payload", r.text());
            }
            assertEquals("100-continue", s.requests.get(0).header("Expect"));
        }
    }

    @AsyncioTest
    void theEndOfA100ContinueIsNotTheEndOfTheResponse() throws Exception {
        // The parser reports END after each interim response; a body arriving after the final head
        // must still be read (aiohttp's server showed it: the 100, the head, then the body).
        try (TestServer s = TestServer.start((r, w, in) -> {
                    String body = "got " + r.text();
                    w.write(ascii("HTTP/1.1 200 OK\r\nContent-Length: " + body.length() + "\r\n\r\n"));
                    w.drain();
                    io.jasyncio.Asyncio.sleep(0.5);
                    w.write(ascii(body));
                    return true;
                });
             ClientSession session = ClientSession.create()) {
            try (ClientResponse r = session.request("PUT", s.url("/")).body(RequestBody.text("payload"))
                    .expectContinue(true).send()) {
                assertEquals("got payload", r.text());
            }
            try (ClientResponse r = session.get(s.url("/"))) {
                assertTrue(r.reusedConnection());
                assertEquals("got ", r.text());
            }
        }
    }

    @AsyncioTest
    void expectContinueAnsweredAtOnceSendsNoBody() throws Exception {
        try (TestServer s = TestServer.start((r, w, in) -> {
                    respond(w, 413, "too big for me", "Connection", "close");
                    return false;
                });
             ClientSession session = ClientSession.create()) {
            s.autoContinue = false;
            int[] pulled = {0};
            BodySource src = () -> {
                pulled[0]++;
                return null;
            };
            try (ClientResponse r = session.request("PUT", s.url("/")).body(RequestBody.stream(src, 5, null))
                    .expectContinue(true).send()) {
                assertEquals(413, r.status());
                assertEquals("too big for me", r.text());
            }
            assertEquals(0, pulled[0], "the body source was never asked");
        }
    }

    @AsyncioTest
    void expectContinueWithASilentServerSendsTheBodyAfterOneSecond(io.jasyncio.EventLoop loop) throws Exception {
        double[] bodyAt = {0};
        try (TestServer s = TestServer.start((r, w, in) -> {
                    byte[] body = in.readExactly(Integer.parseInt(r.header("Content-Length")));
                    bodyAt[0] = loop.time();
                    respond(w, 200, "got " + new String(body, StandardCharsets.UTF_8));
                    return true;
                });
             ClientSession session = ClientSession.create()) {
            s.autoContinue = false;
            double t0 = loop.time();
            try (ClientResponse r = session.request("PUT", s.url("/")).body(RequestBody.text("late"))
                    .expectContinue(true).send()) {
                assertEquals("got late", r.text());
            }
            assertEquals(1.0, bodyAt[0] - t0, 0.01);
        }
    }

    @AsyncioTest
    void aResponseWithoutFramingRunsToTheClose() throws Exception {
        try (TestServer s = TestServer.start((r, w, in) -> {
                    w.write(ascii("HTTP/1.0 200 OK\r\n\r\nuntil the end"));
                    return false;
                });
             ClientSession session = ClientSession.create()) {
            try (ClientResponse r = session.get(s.url("/"))) {
                assertEquals("until the end", r.text());
            }
            assertEquals(0, session.openConnections());
        }
    }

    @AsyncioTest
    void anUnreleasedResponseIsReportedWithWhereItWasMadeWhenItsSessionCloses(io.jasyncio.test.LoopErrors errors)
            throws Exception {
        try (TestServer s = TestServer.start((r, w, in) -> {
                    respond(w, 200, "x");
                    return true;
                })) {
            ClientSession session = ClientSession.create();
            session.get(s.url("/kept"));                     // never closed: the bug being caught
            try (ClientResponse fine = session.get(s.url("/fine"))) {
                fine.read();
            }
            session.close();
            assertEquals(1, errors.all().size(), errors.toString());
            io.jasyncio.ExceptionContext c = errors.all().get(0);
            assertTrue(c.message().startsWith("unreleased ClientResponse[200 GET " + s.url("/kept")), c.message());
            assertTrue(String.valueOf(c.extras().get("created at")).contains("ClientSessionTest.anUnreleasedResponse"),
                    String.valueOf(c.extras().get("created at")));
            assertEquals(0, session.openConnections());
            errors.clear();
        }
    }

    @AsyncioTest
    void traceHooksSeeEachStep() throws Exception {
        List<String> events = new ArrayList<>();
        ClientTrace trace = new ClientTrace() {
            @Override
            public void requestStart(String method, java.net.URI url) {
                events.add("start " + url.getPath());
            }

            @Override
            public void connectionReused(String method, java.net.URI url) {
                events.add("reused");
            }

            @Override
            public void connectionCreateStart(String method, java.net.URI url) {
                events.add("connect");
            }

            @Override
            public void connectionCreateEnd(String method, java.net.URI url, double seconds) {
                events.add("connected");
            }

            @Override
            public void responseHead(String method, java.net.URI url, int status) {
                events.add("head " + status);
            }

            @Override
            public void redirect(String method, java.net.URI from, java.net.URI to, int status) {
                events.add("redirect " + from.getPath() + " -> " + to.getPath());
            }
        };
        try (TestServer s = TestServer.start((r, w, in) -> {
                    if (r.target().equals("/old")) {
                        respond(w, 301, "", "Location", "/new");
                    } else {
                        respond(w, 200, "x");
                    }
                    return true;
                });
             ClientSession session = ClientSession.builder().trace(trace).build()) {
            try (ClientResponse r = session.get(s.url("/old"))) {
                r.read();
            }
        }
        assertEquals(List.of("start /old", "connect", "connected", "head 301", "redirect /old -> /new",
                "start /new", "reused", "head 200"), events);
    }

    @AsyncioTest
    void badUrlsAreRefusedClearly() throws Exception {
        try (ClientSession session = ClientSession.create()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> session.get("ftp://x/"));
            assertTrue(e.getMessage().contains("only http and https"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> session.get("/relative"));
            assertTrue(e.getMessage().contains("base URL"), e.getMessage());
        }
        assertNull(null);
    }
}
