package io.jasyncio.http.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jasyncio.Asyncio;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The quick example of docs/http.md, as written there (port 0 and a client instead of the hour's sleep). */
class DocExampleTest {
    @Test
    void quickExampleRuns() {
        String[] seen = new String[3];
        Asyncio.run(() -> {
            Application app = new Application();
            app.router().get("/", req -> Response.text("Hello, World!"));
            app.router().get("/users/{id:\\d+}", req -> Response.json(Map.of("id", req.matchInfo("id")))).name("user");
            app.router().post("/upload", req -> {
                long n = 0;
                for (byte[] chunk; (chunk = req.content().read()) != null; ) {   // streamed, with flow control
                    n += chunk.length;
                }
                return Response.text("got " + n);
            }).bodyLimit(1L << 30);
            HttpServer server = HttpServer.start(app, "127.0.0.1", 0);
            try (RawClient c = RawClient.open(server.port())) {
                seen[0] = c.get("/").text();
                seen[1] = c.get(app.router().url("user", Map.of("id", "7"))).text();
                c.send("POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nhello");
                seen[2] = c.read("POST").text();
            }
            ShutdownReport report = server.shutdown(10);                           // graceful, 10 s deadline
            assertTrue(report.isClean());
        });
        assertEquals("Hello, World!", seen[0]);
        assertEquals("{\"id\":\"7\"}", seen[1]);
        assertEquals("got 5", seen[2]);
    }
}
