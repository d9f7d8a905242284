package io.jasyncio.http.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jasyncio.test.AsyncioSettings;
import io.jasyncio.test.AsyncioTest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Routing, responses, framing, HEAD, HTTP/1.0 and pipelining over real loopback sockets. */
@AsyncioSettings(virtualTime = false, timeout = 60)
class ServerBasicsTest {

    static Application app() {
        Application app = new Application();
        app.router().get("/", r -> Response.text("Hello, World!"));
        app.router().get("/json", r -> Response.json(Map.of("message", "Hello, World!")));
        app.router().get("/users/{id:\\d+}", r -> Response.text("user " + r.matchInfo("id"))).name("user");
        app.router().get("/files/{name}", r -> Response.text("file " + r.matchInfo("name") + " raw " + r.rawPath()));
        app.router().post("/echo", r -> Response.bytes(r.bytes(), "application/octet-stream"));
        app.router().get("/q", r -> Response.text(r.query().getAll("a") + " " + r.query("b")));
        app.router().get("/redirect", r -> {
            throw HttpException.found("/");
        });
        app.router().get("/boom", r -> {
            throw new IllegalStateException("secret internal detail");
        });
        app.router().get("/split", r -> Response.text("x").header("X-Evil", "a\r\nSet-Cookie: stolen=1"));
        app.router().get("/cookie", r -> Response.text("c=" + r.cookies().get("c"))
                .setCookie(Cookie.of("sid", "abc").withPath("/").withHttpOnly(true).withMaxAge(60)));
        app.router().get("/stream", r -> {
            StreamResponse s = new StreamResponse();
            s.setContentType("text/plain");
            s.prepare(r);
            for (int i = 0; i < 3; i++) {
                s.write("part" + i + ";");
            }
            return s;
        });
        return app;
    }

    @AsyncioTest
    void routesAnswerTextJsonAndParameters() throws Exception {
        try (HttpServer srv = HttpServer.start(app(), "127.0.0.1", 0); RawClient c = RawClient.open(srv.port())) {
            RawClient.Resp r = c.get("/");
            assertEquals(200, r.status());
            assertEquals("Hello, World!", r.text());
            assertEquals("text/plain; charset=utf-8", r.header("Content-Type"));
            assertEquals("13", r.header("Content-Length"));
            assertTrue(r.header("Date").matches("[A-Z][a-z]{2}, \\d\\d [A-Z][a-z]{2} \\d{4} \\d\\d:\\d\\d:\\d\\d GMT"), r.header("Date"));
            assertEquals("{\"message\":\"Hello, World!\"}", c.get("/json").text());
            assertEquals("user 42", c.get("/users/42").text());
            assertEquals(404, c.get("/users/abc").status());
            assertEquals("file a b raw /files/a%20b", c.get("/files/a%20b").text());
            assertEquals("[1, 3] x y", c.get("/q?a=1&b=x+y&a=3").text());
            assertEquals("/users/7", srv.app().router().url("user", Map.of("id", "7")));
        }
    }

    @AsyncioTest
    void notFoundAndMethodNotAllowedWithAllow() throws Exception {
        try (HttpServer srv = HttpServer.start(app(), "127.0.0.1", 0); RawClient c = RawClient.open(srv.port())) {
            RawClient.Resp r = c.get("/nowhere");
            assertEquals(404, r.status());
            c.send("DELETE /json HTTP/1.1\r\nHost: t\r\n\r\n");
            r = c.read("DELETE");
            assertEquals(405, r.status());
            assertEquals("GET, HEAD", r.header("Allow"));
            assertEquals(200, c.get("/").status()); // the connection is still usable
        }
    }

    @AsyncioTest
    void headKeepsContentLengthAndSendsNoBody() throws Exception {
        try (HttpServer srv = HttpServer.start(app(), "127.0.0.1", 0); RawClient c = RawClient.open(srv.port())) {
            c.send("HEAD / HTTP/1.1\r\nHost: t\r\n\r\n");
            RawClient.Resp r = c.read("HEAD");
            assertEquals(200, r.status());
            assertEquals("13", r.header("Content-Length"));
            assertEquals(0, r.body().length);
            assertEquals("Hello, World!", c.get("/").text()); // nothing stray was sent after the head
        }
    }

    @AsyncioTest
    void hundredPipelinedRequestsInOneWriteAreAnsweredInOrder() throws Exception {
        try (HttpServer srv = HttpServer.start(app(), "127.0.0.1", 0); RawClient c = RawClient.open(srv.port())) {
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < 100; i++) {
                b.append("GET /users/").append(i).append(" HTTP/1.1\r\nHost: t\r\n\r\n");
            }
            c.send(b.toString());
            for (int i = 0; i < 100; i++) {
                assertEquals("user " + i, c.read("GET").text());
            }
        }
    }

    @AsyncioTest
    void aFloodOfPipelinedRequestsBehindASlowOneIsBufferedOnlyUpToTheBound() throws Exception {
        io.jasyncio.sync.Event release = new io.jasyncio.sync.Event();
        Application app = app();
        app.router().get("/slow", r -> {
            release.await();
            return Response.text("slow");
        });
        try (HttpServer srv = HttpServer.start(app, "127.0.0.1", 0); RawClient c = RawClient.open(srv.port())) {
            StringBuilder b = new StringBuilder("GET /slow HTTP/1.1\r\nHost: t\r\n\r\n");
            int n = 20_000; // about 600 KB of requests behind the slow one
            for (int i = 0; i < n; i++) {
                b.append("GET / HTTP/1.1\r\nHost: t\r\n\r\n");
            }
            c.conn.writer().write(b.toString().getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
            int max = 0;
            for (int i = 0; i < 50; i++) {
                io.jasyncio.Asyncio.sleep(0.01);
                for (Connection conn : srv.connections) {
                    max = Math.max(max, conn.pendingBytes());
                }
            }
            assertTrue(max > 0, "nothing was buffered");
            assertTrue(max <= 64 * 1024 + 64 * 1024, "buffered " + max + " bytes of pipelined requests");
            release.set();
            assertEquals("slow", c.read("GET").text());
            for (int i = 0; i < n; i++) {
                assertEquals("Hello, World!", c.read("GET").text());
            }
        }
    }

    @AsyncioTest
    void absoluteFormTargetsAreRoutedByTheirPath() throws Exception {
        try (HttpServer srv = HttpServer.start(app(), "127.0.0.1", 0); RawClient c = RawClient.open(srv.port())) {
            c.send("GET http://example.com/users/9?x=1 HTTP/1.1\r\nHost: example.com\r\n\r\n");
            assertEquals("user 9", c.read("GET").text());
        }
    }

    @AsyncioTest
    void http10ClosesUnlessKeepAliveAndStreamsUntilClose() throws Exception {
        try (HttpServer srv = HttpServer.start(app(), "127.0.0.1", 0)) {
            try (RawClient c = RawClient.open(srv.port())) {
                c.send("GET / HTTP/1.0\r\n\r\n");
                RawClient.Resp r = c.read("GET");
                assertEquals("Hello, World!", r.text());
                assertTrue(c.closedByServer());
            }
            try (RawClient c = RawClient.open(srv.port())) {
                c.send("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
                RawClient.Resp r = c.read("GET");
                assertEquals("keep-alive", r.header("Connection"));
                c.send("GET /stream HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
                r = c.read("GET");
                assertNull(r.header("Transfer-Encoding"));
                assertEquals("part0;part1;part2;", r.text()); // delimited by the close
            }
        }
    }

    @AsyncioTest
    void streamResponseIsChunkedInHttp11() throws Exception {
        try (HttpServer srv = HttpServer.start(app(), "127.0.0.1", 0); RawClient c = RawClient.open(srv.port())) {
            RawClient.Resp r = c.get("/stream");
            assertEquals("chunked", r.header("Transfer-Encoding"));
            assertEquals("part0;part1;part2;", r.text());
            assertEquals(200, c.get("/").status());
        }
    }

    @AsyncioTest
    void redirectsCookiesAndHandlerErrors() throws Exception {
        try (HttpServer srv = HttpServer.start(app(), "127.0.0.1", 0); RawClient c = RawClient.open(srv.port())) {
            RawClient.Resp r = c.get("/redirect");
            assertEquals(302, r.status());
            assertEquals("/", r.header("Location"));
            c.send("GET /cookie HTTP/1.1\r\nHost: t\r\nCookie: a=1; c=\"xyz\"\r\n\r\n");
            r = c.read("GET");
            assertEquals("c=xyz", r.text());
            assertEquals("sid=abc; Path=/; Max-Age=60; HttpOnly", r.header("Set-Cookie"));
            r = c.get("/boom");
            assertEquals(500, r.status());
            assertFalse(r.text().contains("secret"), r.text());
            assertFalse(r.text().contains("Exception"), r.text());
            assertEquals(200, c.get("/").status());
            r = c.get("/split"); // a header value with CR LF cannot split the response
            assertEquals(500, r.status());
            assertEquals(null, r.header("Set-Cookie"));
            assertEquals(200, c.get("/").status());
        }
    }

    @AsyncioTest
    void middlewaresAndSubapplications() throws Exception {
        List<String> order = new ArrayList<>();
        Application root = new Application();
        root.use((req, next) -> {
            order.add("root-in");
            StreamResponse r = next.handle(req);
            order.add("root-out");
            r.headers().add("X-Root", "1");
            return r;
        });
        Application admin = new Application();
        admin.use((req, next) -> {
            order.add("admin-in");
            return next.handle(req);
        });
        admin.router().get("/users/{id}", r -> {
            order.add("handler");
            return Response.text("admin " + r.matchInfo("id"));
        }).name("auser");
        root.addSubapp("/admin", admin);
        try (HttpServer srv = HttpServer.start(root, "127.0.0.1", 0); RawClient c = RawClient.open(srv.port())) {
            RawClient.Resp r = c.get("/admin/users/5");
            assertEquals("admin 5", r.text());
            assertEquals("1", r.header("X-Root"));
            assertEquals(List.of("root-in", "admin-in", "handler", "root-out"), order);
            assertEquals("/admin/users/a%20b", admin.router().url("auser", Map.of("id", "a b")));
            r = c.get("/admin/nothing");
            assertEquals(404, r.status());
            // 404s go through the root's middlewares, as an HttpException thrown from next (as in aiohttp)
            assertEquals("root-in", order.get(order.size() - 1));
        }
    }
}
