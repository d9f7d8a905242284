package io.jasyncio.http.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jasyncio.Asyncio;
import io.jasyncio.Peers;
import io.jasyncio.test.AsyncioSettings;
import io.jasyncio.test.AsyncioTest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;

/** Peers no one here wrote against our server: curl, CPython's http.client and aiohttp's client. */
@Tag("interop")
@AsyncioSettings(virtualTime = false, timeout = 120)
class ServerInteropTest {
    static final List<String> connections = new ArrayList<>();

    static Application app() {
        Application app = new Application();
        app.router().get("/a", r -> Response.text("A from " + r.remoteAddress()));
        app.router().get("/b", r -> Response.text("B"));
        app.router().post("/sha", r -> {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            long n = 0;
            for (byte[] c; (c = r.content().read()) != null; ) {
                md.update(c);
                n += c.length;
            }
            return Response.text(n + " " + HexFormat.of().formatHex(md.digest()));
        }).bodyLimit(64 << 20);
        app.router().get("/json", r -> Response.json(java.util.Map.of("message", "Hello, World!")));
        app.router().get("/stream", r -> {
            StreamResponse s = new StreamResponse();
            s.prepare(r);
            for (int i = 0; i < 5; i++) {
                s.write("line " + i + "\n");
            }
            return s;
        });
        return app;
    }

    /** Runs a command off the loop; returns its stdout (stderr to the test's output). */
    static String run(List<String> cmd) throws Exception {
        return Asyncio.toThread(() -> {
            Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("timed out: " + cmd);
            }
            assertEquals(0, p.exitValue(), "exit status of " + cmd + ": " + new String(out, StandardCharsets.UTF_8));
            return new String(out, StandardCharsets.UTF_8);
        });
    }

    @AsyncioTest
    void curlKeepAliveChunkedUploadHttp10AndExpect() throws Exception {
        String curl = Peers.command("curl");
        Path file = Files.createTempFile("upload", ".bin");
        try (HttpServer srv = HttpServer.start(app(), "127.0.0.1", 0)) {
            String base = "http://127.0.0.1:" + srv.port();
            // two URLs in one invocation: curl reuses the connection (same client port)
            String out = run(List.of(curl, "-sS", base + "/a", "-o", "-", base + "/a"));
            String[] lines = out.split("(?=A from)");
            assertEquals(2, lines.length, out);
            assertEquals(lines[0], lines[1], "curl did not reuse the keep-alive connection: " + out);
            byte[] data = new byte[3_000_000];
            new java.util.Random(7).nextBytes(data);
            Files.write(file, data);
            String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
            out = run(List.of(curl, "-sS", "--data-binary", "@" + file, "-H", "Transfer-Encoding: chunked", base + "/sha"));
            assertEquals(data.length + " " + sha, out);
            out = run(List.of(curl, "-sS", "--http1.0", "-D", "-", base + "/stream"));
            assertTrue(out.startsWith("HTTP/1.1 200"), out);
            assertTrue(!out.toLowerCase().contains("transfer-encoding"), out);
            assertTrue(out.endsWith("line 0\nline 1\nline 2\nline 3\nline 4\n"), out);
            out = run(List.of(curl, "-sS", "-v", "-H", "Expect: 100-continue", "--data-binary", "@" + file, base + "/sha"));
            assertEquals(data.length + " " + sha, out);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    @AsyncioTest
    void httpsWithCurl() throws Exception {
        String curl = Peers.command("curl");
        Path dir = Files.createTempDirectory("https");
        Path ks = dir.resolve("server.p12");
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        run(List.of(keytool, "-genkeypair", "-keyalg", "EC", "-alias", "localhost", "-dname", "CN=localhost",
                "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-validity", "2", "-keystore", ks.toString(),
                "-storetype", "PKCS12", "-storepass", "changeit", "-keypass", "changeit"));
        javax.net.ssl.SSLContext ctx = io.jasyncio.net.TlsContexts.server(ks, "changeit".toCharArray());
        HttpServerOptions o = HttpServerOptions.builder()
                .serverOptions(io.jasyncio.net.ServerOptions.builder().ssl(ctx).build()).build();
        try (HttpServer srv = HttpServer.start(app(), "127.0.0.1", 0, o)) {
            String base = "https://127.0.0.1:" + srv.port();
            String out = run(List.of(curl, "-sSk", base + "/b", "-o", "-", base + "/json"));
            assertEquals("B{\"message\":\"Hello, World!\"}", out);
            out = run(List.of(curl, "-sSk", "--data-binary", "abc", base + "/sha"));
            assertTrue(out.startsWith("3 "), out);
        } finally {
            Files.deleteIfExists(ks);
            Files.deleteIfExists(dir);
        }
    }

    @AsyncioTest
    void cpythonHttpClientAndAiohttp() throws Exception {
        String python = Peers.python("aiohttp");
        try (HttpServer srv = HttpServer.start(app(), "127.0.0.1", 0)) {
            int port = srv.port();
            String script = String.join("\n",
                    "import http.client, sys",
                    "c = http.client.HTTPConnection('127.0.0.1', " + port + ")",
                    "out = []",
                    "for p in ['/b', '/json', '/stream', '/nope']:",
                    "    c.request('GET', p)",
                    "    r = c.getresponse()",
                    "    out.append('%d %s' % (r.status, r.read().decode()))",
                    "c.request('POST', '/sha', body=b'x' * 100000)",
                    "r = c.getresponse(); out.append('%d %s' % (r.status, r.read().decode()))",
                    "print('|'.join(out))");
            String out = run(List.of(python, "-c", script)).strip();
            String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest("x".repeat(100000).getBytes()));
            assertEquals("200 B|200 {\"message\":\"Hello, World!\"}|200 line 0\nline 1\nline 2\nline 3\nline 4\n|404 Not Found|200 100000 " + sha, out);
            String aio = String.join("\n",
                    "import asyncio, aiohttp",
                    "async def main():",
                    "    async with aiohttp.ClientSession() as s:",
                    "        res = []",
                    "        async def one(i):",
                    "            async with s.get('http://127.0.0.1:" + port + "/json') as r:",
                    "                return (await r.json())['message']",
                    "        res = await asyncio.gather(*[one(i) for i in range(50)])",
                    "        async with s.post('http://127.0.0.1:" + port + "/sha', data=b'y' * 1000) as r:",
                    "            t = await r.text()",
                    "        async with s.get('http://127.0.0.1:" + port + "/stream') as r:",
                    "            st = await r.text()",
                    "        print(len(set(res)), len(res), t.split()[0], st.count('line'))",
                    "asyncio.run(main())");
            out = run(List.of(python, "-c", aio)).strip();
            assertEquals("1 50 1000 5", out);
        }
    }
}
