package io.jasyncio.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.jasyncio.Peers;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./jasyncio http-serve} in a child process, asked by curl over real sockets: index files,
 * no listings by default, every kind of escape refused, the JSON API, /health, request IDs, two
 * loops, and the graceful shutdown on SIGTERM.
 */
class HttpServeTest {

    /** curl's whole response (head and body) for {@code path}, with {@code --path-as-is} so that {@code ..} reaches the server. */
    static String curl(int port, String path, String... extra) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Peers.command("curl"), "-s", "-i", "--path-as-is", "--max-time", "30"));
        cmd.addAll(List.of(extra));
        cmd.add("http://127.0.0.1:" + port + path);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("curl did not finish");
        }
        return new String(out, StandardCharsets.UTF_8);
    }

    static int status(String response) {
        return Integer.parseInt(response.substring(9, 12));
    }

    static String body(String response) {
        return response.substring(response.indexOf("\r\n\r\n") + 4);
    }

    static void kill(Launcher l, String signal) throws Exception {
        Process k = new ProcessBuilder("kill", "-s", signal, String.valueOf(l.process.pid())).start();
        assertTrue(k.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, k.exitValue());
    }

    @Test
    void servesADirectoryOnTwoLoopsWithoutEscapesAndStopsGracefullyOnSigterm(@TempDir Path tmp) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("site"));
        Path outside = Files.writeString(tmp.resolve("outside.txt"), "OUTSIDE SECRET");
        Files.writeString(dir.resolve("index.html"), "<h1>my index</h1>");
        Files.writeString(dir.resolve(".hidden"), "hidden");
        Files.createDirectories(dir.resolve("sub"));
        Files.writeString(dir.resolve("sub/a.txt"), "in sub");
        Files.createSymbolicLink(dir.resolve("link.txt"), outside);
        Files.createSymbolicLink(dir.resolve("linkdir"), tmp);
        try (Launcher l = Launcher.start(Map.of(), "http-serve", dir.toString(), "--port", "0", "--loops", "2")) {
            int port = Integer.parseInt(l.awaitErr("^http-serve: listening on http://127\\.0\\.0\\.1:(\\d+)/ serving .* with 2 loops"));

            String r = curl(port, "/");
            assertEquals(200, status(r), r);
            assertEquals("<h1>my index</h1>", body(r));
            assertTrue(r.contains("Content-Type: text/html"), r);
            assertEquals("in sub", body(curl(port, "/sub/a.txt")));
            r = curl(port, "/sub");
            assertEquals(301, status(r), r);
            assertTrue(r.contains("Location: /sub/"), r);
            assertEquals(404, status(curl(port, "/sub/")), "listings are off by default");

            for (String escape : List.of("/../outside.txt", "/sub/../../outside.txt", "/%2e%2e/outside.txt",
                    "/%2E%2E%2Foutside.txt", "/sub/%2e%2e/%2e%2e/outside.txt", "//etc/passwd", "/" + outside,
                    "/link.txt", "/linkdir/outside.txt", "/.hidden", "/%2ehidden", "/..%5coutside.txt")) {
                r = curl(port, escape);
                assertTrue(status(r) == 404 || status(r) == 400, escape + " -> " + r); // 400: a malformed encoding
                assertFalse(r.contains("OUTSIDE SECRET"), escape);
                assertFalse(r.contains("root:"), escape);
            }

            r = curl(port, "/api/files");
            assertEquals(200, status(r), r);
            assertTrue(r.contains("application/json"), r);
            assertEquals("{\"files\":[{\"name\":\"index.html\",\"size\":17}]}", body(r));

            r = curl(port, "/health", "-H", "X-Request-Id: probe-1");
            assertEquals(200, status(r), r);
            assertEquals("{\"status\":\"ok\"}", body(r));
            assertTrue(r.contains("X-Request-Id: probe-1\r\n"), r);
            assertTrue(curl(port, "/health").matches("(?s).*X-Request-Id: [0-9a-f]{16}\r\n.*"));

            kill(l, "TERM");
            Launcher.Run run = l.finish();
            assertEquals(0, run.status(), run.err());
            assertTrue(run.err().contains("http-serve: SIGTERM: stopping"), run.err());
            assertTrue(run.err().contains("http-serve: stopped"), run.err());
            assertEquals(1, run.err().split("listening on", -1).length - 1, "the address is printed once: " + run.err());
            assertTrue(run.noStackTrace(), run.err());
        }
    }

    @Test
    void listingsWhenAskedAndTheEmbeddedDemoSite(@TempDir Path tmp) throws Exception {
        Files.writeString(tmp.resolve("b.txt"), "b");
        Files.writeString(tmp.resolve(".dot"), "d");
        Files.createDirectories(tmp.resolve("a dir"));
        try (Launcher l = Launcher.start(Map.of(), "http-serve", "--listing", "--port", "0", tmp.toString())) {
            int port = Integer.parseInt(l.awaitErr("^http-serve: listening on http://127\\.0\\.0\\.1:(\\d+)/"));
            String r = curl(port, "/");
            assertEquals(200, status(r), r);
            assertTrue(r.contains("<a href=\"a%20dir/\">a dir/</a>"), r);
            assertTrue(r.contains("<a href=\"b.txt\">b.txt</a>"), r);
            assertFalse(r.contains(".dot"), r);
        }
        try (Launcher l = Launcher.start(Map.of(), "http-serve", "--port", "0")) {
            int port = Integer.parseInt(l.awaitErr("^http-serve: listening on http://127\\.0\\.0\\.1:(\\d+)/ serving the embedded demo site"));
            String r = curl(port, "/");
            assertEquals(200, status(r), r);
            assertTrue(body(r).contains("embedded demo site"), r);
            assertEquals(200, status(curl(port, "/hello.txt")));
            assertTrue(body(curl(port, "/api/files")).contains("\"name\":\"hello.txt\""));
        }
    }

    @Test
    void badUsageIsAClearErrorWithoutAStack(@TempDir Path tmp) throws Exception {
        Launcher.Run run = Launcher.run("http-serve", tmp.resolve("missing").toString());
        assertEquals(2, run.status(), run.err());
        assertTrue(run.err().contains("http-serve: not a directory: "), run.err());
        assertTrue(run.noStackTrace(), run.err());
        run = Launcher.run("http-serve", "--loops", "0");
        assertEquals(2, run.status(), run.err());
        assertTrue(run.noStackTrace(), run.err());
        run = Launcher.run("http-serve", "--help");
        assertEquals(0, run.status(), run.err());
        assertTrue(run.out().contains("--listing"), run.out());
    }
}
