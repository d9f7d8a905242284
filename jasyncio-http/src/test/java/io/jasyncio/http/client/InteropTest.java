package io.jasyncio.http.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.jasyncio.Asyncio;
import io.jasyncio.Peers;
import io.jasyncio.net.TlsContexts;
import io.jasyncio.test.AsyncioSettings;
import io.jasyncio.test.AsyncioTest;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;

/**
 * The client against servers no one here wrote: an aiohttp web server, CPython's
 * {@code http.server}, and {@code openssl s_server} for TLS (trust, host-name checks). Real time:
 * the peers are other processes.
 */
@Tag("interop")
@AsyncioSettings(virtualTime = false, timeout = 60)
class InteropTest {
    private static final Path TLS = Path.of("src/test/resources/tls").toAbsolutePath();
    private final List<Process> processes = new ArrayList<>();

    @AfterEach
    void stopPeers() throws InterruptedException {
        for (Process p : processes) {
            p.destroy();
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
    }

    private Process spawn(List<String> cmd, Path dir) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        if (dir != null) {
            pb.directory(dir.toFile());
        }
        Process p = pb.start();
        processes.add(p);
        return p;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** Waits (off the loop) until something accepts on the port. */
    private static void awaitListening(int port, Process p) {
        Asyncio.toThread(() -> {
            for (int i = 0; i < 200; i++) {
                if (!p.isAlive()) {
                    throw new AssertionError("the peer exited: " + new String(p.getInputStream().readAllBytes()));
                }
                try (Socket s = new Socket("127.0.0.1", port)) {
                    return;
                } catch (IOException notYet) {
                    Thread.sleep(50);
                }
            }
            throw new AssertionError("the peer never listened on " + port);
        });
    }

    private int startAiohttp() throws IOException {
        String python = Peers.python("aiohttp");
        Path script = Files.createTempFile("aiohttp_server", ".py");
        try (var in = InteropTest.class.getResourceAsStream("aiohttp_server.py")) {
            Files.write(script, in.readAllBytes());
        }
        Process p = spawn(List.of(python, script.toString()), null);
        String line = Asyncio.toThread(() -> new BufferedReader(new InputStreamReader(p.getInputStream())).readLine());
        if (line == null) {
            throw new AssertionError("the aiohttp server did not start");
        }
        return Integer.parseInt(line.trim());
    }

    @AsyncioTest
    void againstAiohttp() throws Exception {
        int port = startAiohttp();
        try (ClientSession session = ClientSession.builder().baseUrl("http://127.0.0.1:" + port).build()) {
            try (ClientResponse r = session.get("/hello")) {
                assertEquals(200, r.status());
                assertEquals("Hello, World!", r.text());
            }
            String peer1;
            try (ClientResponse r = session.get("/peer")) {
                peer1 = r.text();
            }
            try (ClientResponse r = session.get("/peer")) {
                assertEquals(peer1, r.text(), "the same kept-alive connection");
                assertTrue(r.reusedConnection());
            }
            try (ClientResponse r = session.request("GET", "/json").query("q", "a b").send()) {
                JsonNode j = r.json();
                assertEquals("Hello, World!", j.get("message").asText());
                assertEquals("a b", j.get("query").get("q").asText());
            }
            try (ClientResponse r = session.get("/gzip")) {
                assertEquals("gzip", r.header("Content-Encoding"));
                assertEquals("compressed ".repeat(1000), r.text());
            }
            try (ClientResponse r = session.get("/deflate")) {
                assertEquals("deflated ".repeat(1000), r.text());
            }
            try (ClientResponse r = session.get("/chunked")) {
                List<String> lines = new ArrayList<>();
                String l;
                while ((l = r.readLine()) != null) {
                    lines.add(l);
                }
                assertEquals(List.of("line 0", "line 1", "line 2", "line 3", "line 4"), lines);
            }
            try (ClientResponse r = session.post("/echo", RequestBody.json(Map.of("k", "v")))) {
                JsonNode j = r.json();
                assertEquals("{\"k\":\"v\"}", j.get("body").asText());
                assertEquals("application/json", j.get("type").asText());
            }
            List<String> parts = new ArrayList<>(List.of("a", "bb", "ccc"));
            try (ClientResponse r = session.request("PUT", "/echo")
                    .body(RequestBody.stream(() -> parts.isEmpty() ? null : parts.remove(0).getBytes(), "text/plain"))
                    .expectContinue(true).send()) {
                JsonNode j = r.json();
                assertEquals("abbccc", j.get("body").asText());
                assertTrue(j.get("chunked").asBoolean());
            }
            try (ClientResponse r = session.get("/redirect")) {
                assertEquals("Hello, World!", r.text());
                assertEquals(302, r.history().get(0).status());
            }
            try (ClientResponse r = session.head("/hello")) {
                assertEquals(200, r.status());
                assertEquals(0, r.read().length);
            }
            ClientResponseException e = assertThrows(ClientResponseException.class,
                    () -> session.request("GET", "/status/503").raiseForStatus(true).send());
            assertEquals(503, e.status());
            assertEquals(1, session.openConnections(), "everything went over one connection");
        }
    }

    @AsyncioTest
    void againstCpythonHttpServer() throws Exception {
        String python = Peers.python();
        Path dir = Files.createTempDirectory("httpserver");
        Files.writeString(dir.resolve("page.txt"), "from http.server\n".repeat(100));
        int port = freePort();
        Process p = spawn(List.of(python, "-m", "http.server", String.valueOf(port), "--bind", "127.0.0.1"), dir);
        awaitListening(port, p);
        try (ClientSession session = ClientSession.create()) {
            for (int i = 0; i < 3; i++) {
                try (ClientResponse r = session.get("http://127.0.0.1:" + port + "/page.txt")) {
                    assertEquals(200, r.status());
                    assertEquals("from http.server\n".repeat(100), r.text());
                }
            }
            try (ClientResponse r = session.get("http://127.0.0.1:" + port + "/missing")) {
                assertEquals(404, r.status());
                assertTrue(r.text().contains("404"));
            }
            assertEquals(0, session.openConnections(), "HTTP/1.0 answers close their connections");
        }
    }

    private int startOpensslServer() throws IOException {
        String openssl = Peers.command("openssl");
        int port = freePort();
        Process p = spawn(List.of(openssl, "s_server", "-accept", "0.0.0.0:" + port, "-cert",
                TLS.resolve("localhost.pem").toString(), "-key", TLS.resolve("localhost.key").toString(), "-www"), null);
        awaitListening(port, p);
        return port;
    }

    private static SSLContext trustingTestCa() {
        return Asyncio.toThread(() -> TlsContexts.clientTrusting(TLS.resolve("ca.pem")));
    }

    @AsyncioTest
    void tlsAgainstOpensslVerifiesTheHostName() throws Exception {
        int port = startOpensslServer();
        SSLContext ctx = trustingTestCa();
        try (ClientSession session = ClientSession.builder()
                .connector(ConnectorOptions.builder().ssl(ctx).build()).build()) {
            try (ClientResponse r = session.get("https://localhost:" + port + "/")) {
                assertEquals(200, r.status());
                assertTrue(r.text().contains("s_server"), "openssl's status page");
            }
            // 127.0.0.2 is loopback too, but the certificate names only localhost and 127.0.0.1.
            ClientSslException e = assertThrows(ClientSslException.class,
                    () -> session.get("https://127.0.0.2:" + port + "/"));
            assertTrue(e.getMessage().startsWith("TLS with 127.0.0.2:" + port + " failed for GET"), e.getMessage());
            assertEquals(0, session.openConnections());
        }
        try (ClientSession lax = ClientSession.builder()
                .connector(ConnectorOptions.builder().ssl(ctx).verifyHostname(false).build()).build();
             ClientResponse r = lax.get("https://127.0.0.2:" + port + "/")) {
            assertEquals(200, r.status(), "the name check off, the chain still checked");
        }
        try (ClientSession defaults = ClientSession.create()) {
            assertThrows(ClientSslException.class, () -> defaults.get("https://localhost:" + port + "/"),
                    "the JDK's default trust does not know the test CA");
        }
    }

    @SuppressWarnings("unused")
    private static String utf8(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
