package io.jasyncio.http.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jasyncio.Asyncio;
import io.jasyncio.test.AsyncioSettings;
import io.jasyncio.test.AsyncioTest;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** Request IDs (taken, generated, echoed, logged) and handler failures: 500, the stack in the log only. */
@AsyncioSettings(timeout = 60)
class OperationsTest {

    static final class Capture extends Handler {
        final List<LogRecord> records = new CopyOnWriteArrayList<>();

        @Override
        public void publish(LogRecord r) {
            records.add(r);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    }

    static Application app() {
        Application app = new Application();
        app.router().get("/id", r -> Response.text(r.requestId()));
        app.router().get("/own", r -> {
            Response resp = Response.text("own");
            resp.headers.set("X-Request-Id", "set-by-handler");
            return resp;
        });
        app.router().get("/boom", r -> {
            throw new IllegalStateException("secret detail");
        });
        return app;
    }

    @AsyncioTest
    void aValidIdIsKeptAnInvalidOrMissingOneIsGeneratedAndTheResponseEchoesIt() throws Exception {
        try (HttpServer srv = HttpServer.start(app(), "127.0.0.1", 0); RawClient c = RawClient.open(srv.port())) {
            c.send("GET /id HTTP/1.1\r\nHost: t\r\nX-Request-Id: abc-123_x.y:z\r\n\r\n");
            RawClient.Resp r = c.read("GET");
            assertEquals("abc-123_x.y:z", r.text());
            assertEquals("abc-123_x.y:z", r.header("X-Request-Id"));

            r = c.get("/id");
            String generated = r.text();
            assertTrue(generated.matches("[0-9a-f]{16}"), generated);
            assertEquals(generated, r.header("X-Request-Id"));
            assertNotEquals(generated, c.get("/id").text());

            for (String bad : List.of("has space", "x".repeat(129), "quote\"d", "semi;colon")) {
                c.send("GET /id HTTP/1.1\r\nHost: t\r\nX-Request-Id: " + bad + "\r\n\r\n");
                r = c.read("GET");
                assertTrue(r.text().matches("[0-9a-f]{16}"), bad + " -> " + r.text());
                assertEquals(r.text(), r.header("X-Request-Id"));
            }

            r = c.get("/own");
            assertEquals("set-by-handler", r.header("X-Request-Id"));
            assertEquals(1, r.headers().getAll("X-Request-Id").size());

            r = c.get("/nowhere"); // the server's own answers carry one too
            assertEquals(404, r.status());
            assertTrue(r.header("X-Request-Id").matches("[0-9a-f]{16}"));
        }
    }

    @AsyncioTest
    void aFailingHandlerIs500WithTheStackAndTheIdInTheLogNeverInTheBody() throws Exception {
        Logger log = Logger.getLogger("io.jasyncio.http.server");
        Capture cap = new Capture();
        log.addHandler(cap);
        try (HttpServer srv = HttpServer.start(app(), "127.0.0.1", 0); RawClient c = RawClient.open(srv.port())) {
            c.send("GET /boom HTTP/1.1\r\nHost: t\r\nX-Request-Id: trace-42\r\n\r\n");
            RawClient.Resp r = c.read("GET");
            assertEquals(500, r.status());
            assertEquals("trace-42", r.header("X-Request-Id"));
            assertFalse(r.text().contains("secret"), r.text());
            assertFalse(r.text().contains("Exception"), r.text());
            assertFalse(r.text().contains("at io."), r.text());
            LogRecord rec = cap.records.stream().filter(x -> x.getLevel() == Level.SEVERE).findFirst().orElse(null);
            assertNotNull(rec, "no SEVERE record");
            assertTrue(rec.getMessage().contains("trace-42"), rec.getMessage());
            assertNotNull(rec.getThrown());
            assertEquals("secret detail", rec.getThrown().getMessage());
            assertTrue(rec.getThrown().getStackTrace().length > 0);
            assertEquals(200, c.get("/id").status()); // the connection is kept
        } finally {
            log.removeHandler(cap);
        }
    }

    @AsyncioTest
    void theAccessLogShowsTheRequestId() throws Exception {
        Logger log = Logger.getLogger("io.jasyncio.http.access");
        Capture cap = new Capture();
        log.addHandler(cap);
        try (HttpServer srv = HttpServer.start(app(), "127.0.0.1", 0, HttpServerOptions.builder().accessLog(true).build());
             RawClient c = RawClient.open(srv.port())) {
            c.send("GET /id HTTP/1.1\r\nHost: t\r\nX-Request-Id: logged-7\r\n\r\n");
            assertEquals(200, c.read("GET").status());
            for (int i = 0; i < 500 && cap.records.isEmpty(); i++) {
                Asyncio.sleep(0.01); // the access log is written by its own thread
            }
            assertEquals(1, cap.records.size(), cap.records.toString());
            String line = cap.records.get(0).getMessage();
            assertTrue(line.matches("127\\.0\\.0\\.1 - - \\[[^]]+\\] \"GET /id HTTP/1.1\" 200 \\d+ logged-7"), line);
        } finally {
            log.removeHandler(cap);
        }
    }
}
