package io.jasyncio.http.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jasyncio.test.AsyncioSettings;
import io.jasyncio.test.AsyncioTest;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPInputStream;

/** {@link StreamResponse#enableCompression}: gzip piece by piece, chunked, only when accepted. */
@AsyncioSettings(timeout = 60)
class StreamCompressionTest {
    static final String PIECE = "line of a streamed report\n".repeat(40);

    static Application app() {
        Application app = new Application();
        app.router().get("/s", r -> {
            StreamResponse s = new StreamResponse().setContentType("text/plain").setContentLength(PIECE.length() * 5L)
                    .enableCompression();
            s.prepare(r);
            for (int i = 0; i < 5; i++) {
                s.write(PIECE);
            }
            return s;
        });
        return app;
    }

    static String gunzip(byte[] b) throws Exception {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(b))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @AsyncioTest
    void aStreamIsGzippedAndChunkedWhenAcceptedAndPlainOtherwise() throws Exception {
        try (HttpServer srv = HttpServer.start(app(), "127.0.0.1", 0); RawClient c = RawClient.open(srv.port())) {
            c.send("GET /s HTTP/1.1\r\nHost: t\r\nAccept-Encoding: gzip\r\n\r\n");
            RawClient.Resp r = c.read("GET");
            assertEquals(200, r.status());
            assertEquals("gzip", r.header("Content-Encoding"));
            assertEquals("Accept-Encoding", r.header("Vary"));
            assertEquals("chunked", r.header("Transfer-Encoding"));
            assertNull(r.header("Content-Length"), "the declared length is of the uncompressed content");
            assertTrue(r.body().length < PIECE.length(), "not compressed: " + r.body().length);
            assertEquals(PIECE.repeat(5), gunzip(r.body()));

            c.send("GET /s HTTP/1.1\r\nHost: t\r\nAccept-Encoding: gzip;q=0\r\n\r\n"); // the connection was kept
            r = c.read("GET");
            assertNull(r.header("Content-Encoding"));
            assertEquals(String.valueOf(PIECE.length() * 5), r.header("Content-Length"));
            assertEquals(PIECE.repeat(5), r.text());

            c.send("HEAD /s HTTP/1.1\r\nHost: t\r\nAccept-Encoding: gzip\r\n\r\n");
            r = c.read("HEAD");
            assertEquals("gzip", r.header("Content-Encoding"));
            assertEquals(0, r.body().length);
            assertEquals(404, c.get("/nowhere").status()); // still in step after the HEAD
        }
        try (HttpServer srv = HttpServer.start(app(), "127.0.0.1", 0); RawClient c = RawClient.open(srv.port())) {
            c.send("GET /s HTTP/1.0\r\nAccept-Encoding: gzip\r\n\r\n"); // no chunks in 1.0: delimited by the close
            byte[] all = c.readToEof();
            String text = new String(all, StandardCharsets.ISO_8859_1);
            assertTrue(text.startsWith("HTTP/1.1 200 "), text);
            assertTrue(text.contains("Content-Encoding: gzip\r\n"), text);
            int at = text.indexOf("\r\n\r\n") + 4;
            byte[] body = java.util.Arrays.copyOfRange(all, at, all.length);
            assertEquals(PIECE.repeat(5), gunzip(body));
        }
    }

    @AsyncioTest
    void eachWriteIsFlushedSoTheClientCanDecodeWhatCameSoFar() throws Exception {
        GzipPieces g = new GzipPieces();
        byte[] first = g.write(PIECE.getBytes(StandardCharsets.UTF_8), 0, PIECE.length());
        java.util.zip.Inflater inf = new java.util.zip.Inflater(true);
        inf.setInput(first, 10, first.length - 10); // past the 10-byte gzip header
        byte[] out = new byte[PIECE.length() * 2];
        int n = inf.inflate(out);
        assertEquals(PIECE, new String(out, 0, n, StandardCharsets.UTF_8));
        inf.end();
    }
}
