package io.jasyncio.http.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jasyncio.test.AsyncioSettings;
import io.jasyncio.test.AsyncioTest;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.io.TempDir;

/** Static files (escapes, ranges, If-Modified-Since, types), gzip, and the access log. */
@AsyncioSettings(virtualTime = false, timeout = 60)
class StaticAndCompressionTest {
    @TempDir
    Path tmp;

    @AsyncioTest
    void staticFilesServeRangesAndConditionalsAndNeverEscape() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("www"));
        byte[] big = new byte[300_000];
        new java.util.Random(3).nextBytes(big);
        Files.write(dir.resolve("big.bin"), big);
        Files.writeString(dir.resolve("index.html"), "<h1>hi</h1>");
        Files.createDirectories(dir.resolve("sub"));
        Files.writeString(dir.resolve("sub/a.css"), "a{}");
        Files.writeString(dir.resolve(".secret"), "no");
        Files.writeString(tmp.resolve("outside.txt"), "outside");
        Files.createSymbolicLink(dir.resolve("link.txt"), tmp.resolve("outside.txt"));
        Application app = new Application();
        app.router().addStatic("/static", dir);
        try (HttpServer srv = HttpServer.start(app, "127.0.0.1", 0); RawClient c = RawClient.open(srv.port())) {
            RawClient.Resp r = c.get("/static/index.html");
            assertEquals(200, r.status());
            assertEquals("text/html; charset=utf-8", r.header("Content-Type"));
            assertEquals("<h1>hi</h1>", r.text());
            String lm = r.header("Last-Modified");
            assertEquals("text/css; charset=utf-8", c.get("/static/sub/a.css").header("Content-Type"));
            r = c.get("/static/big.bin");
            assertArrayEquals(big, r.body());
            c.send("GET /static/big.bin HTTP/1.1\r\nHost: t\r\nRange: bytes=100-199\r\n\r\n");
            r = c.read("GET");
            assertEquals(206, r.status());
            assertEquals("bytes 100-199/300000", r.header("Content-Range"));
            assertArrayEquals(Arrays.copyOfRange(big, 100, 200), r.body());
            c.send("GET /static/big.bin HTTP/1.1\r\nHost: t\r\nRange: bytes=-10\r\n\r\n");
            assertArrayEquals(Arrays.copyOfRange(big, big.length - 10, big.length), c.read("GET").body());
            c.send("GET /static/big.bin HTTP/1.1\r\nHost: t\r\nRange: bytes=400000-\r\n\r\n");
            r = c.read("GET");
            assertEquals(416, r.status());
            assertEquals("bytes */300000", r.header("Content-Range"));
            c.send("GET /static/index.html HTTP/1.1\r\nHost: t\r\nIf-Modified-Since: " + lm + "\r\n\r\n");
            r = c.read("GET");
            assertEquals(304, r.status());
            assertEquals(0, r.body().length);
            c.send("HEAD /static/big.bin HTTP/1.1\r\nHost: t\r\n\r\n");
            r = c.read("HEAD");
            assertEquals("300000", r.header("Content-Length"));
            for (String bad : List.of("/static/../outside.txt", "/static/%2e%2e/outside.txt", "/static/sub/../../outside.txt",
                    "/static/.secret", "/static/link.txt", "/static/sub", "/static/", "/static/nope")) {
                assertEquals(404, c.get(bad).status(), bad);
            }
        }
    }

    @AsyncioTest
    void gzipWhenTheClientAcceptsItAndAnAccessLogLine() throws Exception {
        List<String> lines = new java.util.concurrent.CopyOnWriteArrayList<>();
        Handler h = new Handler() {
            @Override
            public void publish(LogRecord record) {
                lines.add(record.getMessage());
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        AccessLog.LOG.addHandler(h);
        String text = "hello ".repeat(1000);
        Application app = new Application();
        app.router().get("/t", r -> Response.text(text).enableCompression());
        HttpServerOptions o = HttpServerOptions.builder().accessLog(true).build();
        try (HttpServer srv = HttpServer.start(app, "127.0.0.1", 0, o); RawClient c = RawClient.open(srv.port())) {
            c.send("GET /t HTTP/1.1\r\nHost: t\r\nAccept-Encoding: br, gzip\r\n\r\n");
            RawClient.Resp r = c.read("GET");
            assertEquals("gzip", r.header("Content-Encoding"));
            assertTrue(r.body().length < text.length() / 10);
            assertEquals(text, new String(new GZIPInputStream(new ByteArrayInputStream(r.body())).readAllBytes(), StandardCharsets.UTF_8));
            c.send("GET /t HTTP/1.1\r\nHost: t\r\nAccept-Encoding: gzip;q=0\r\n\r\n");
            r = c.read("GET");
            assertEquals(null, r.header("Content-Encoding"));
            assertEquals(text, r.text());
            for (int i = 0; i < 200 && lines.size() < 2; i++) {
                io.jasyncio.Asyncio.sleep(0.01);
            }
            assertEquals(2, lines.size(), lines.toString());
            assertTrue(lines.get(1).matches("127\\.0\\.0\\.1 - - \\[[^]]+\\] \"GET /t HTTP/1\\.1\" 200 6000 [0-9a-f]{16}"), lines.get(1));
        } finally {
            AccessLog.LOG.removeHandler(h);
        }
    }
}
