package io.jasyncio.streams;

import io.jasyncio.Asyncio;
import io.jasyncio.Peers;
import io.jasyncio.net.Server;
import io.jasyncio.sync.Event;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.jasyncio.streams.StreamReaderTest.b;
import static io.jasyncio.streams.StreamReaderTest.s;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Our streams against CPython's asyncio streams (and uvloop's), over TCP and Unix sockets: a
 * CPython client against {@link Streams#startServer}, and {@link Streams#openConnection} against a
 * CPython server. Both sides run the conversation of {@code asyncio_peer.py}: echoed lines,
 * separators, a 1 MiB length-prefixed frame, a half-close. Skipped if there is no python3.
 */
@Tag("interop")
@Timeout(value = 40, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class StreamInteropTest {
    static final byte[] PAYLOAD = payload();

    static String python;
    static Path script;

    static byte[] payload() {
        byte[] p = new byte[256 * 4096];
        for (int i = 0; i < p.length; i++) {
            p[i] = (byte) i;
        }
        return p;
    }

    @BeforeAll
    static void findPython() throws IOException {
        python = Peers.python();
        script = Files.createTempFile("asyncio_peer", ".py");
        script.toFile().deleteOnExit();
        try (InputStream in = StreamInteropTest.class.getResourceAsStream("asyncio_peer.py")) {
            Files.copy(in, script, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    static Process startPython(String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(python, script.toString()));
        cmd.addAll(Arrays.asList(args));
        return new ProcessBuilder(cmd).redirectErrorStream(true).start();
    }

    /** Everything the process prints until it exits (off the loop); kills it if it overstays. */
    static String finish(Process p) throws Exception {
        return Asyncio.toThread(() -> {
            try {
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (!p.waitFor(25, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    return out + "\n[killed: did not exit]";
                }
                return out + (p.exitValue() == 0 ? "" : "\n[exit " + p.exitValue() + "]");
            } finally {
                p.destroyForcibly();
            }
        });
    }

    /** Our side of the conversation, as a server. */
    static ClientConnectedHandler javaServer(Event done) {
        return (r, w) -> {
            while (true) {
                byte[] line = r.readline();
                String l = s(line);
                if (l.equals("SEPS\n")) {
                    w.write(b("alpha;beta\r\n"));
                    continue;
                }
                if (l.equals("FRAME\n")) {
                    break;
                }
                assertTrue(l.startsWith("line "), l);
                w.write(line);
                w.drain();
            }
            byte[] header = r.readExactly(4);
            byte[] data = r.readExactly(ByteBuffer.wrap(header).getInt());
            assertArrayEquals(PAYLOAD, data);
            w.write(header);
            w.write(data);
            w.drain();
            assertEquals(0, r.read(-1).length);
            w.write(b("bye\n"));
            w.drain();
            w.close();
            w.waitClosed();
            done.set();
        };
    }

    /** Our side of the conversation, as a client. */
    static void javaClient(StreamConnection c) throws IOException {
        StreamReader r = c.reader();
        StreamWriter w = c.writer();
        List<byte[]> lines = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            lines.add(b("line " + i + "\n"));
        }
        w.writelines(lines);
        w.drain();
        for (int i = 0; i < 100; i++) {
            assertEquals("line " + i + "\n", s(r.readline()));
        }
        w.write(b("SEPS\n"));
        assertEquals("alpha;", s(r.readUntil(b(";"), b("\r\n"))));
        assertEquals("beta\r\n", s(r.readUntil(b(";"), b("\r\n"))));
        w.write(b("FRAME\n"));
        w.write(ByteBuffer.allocate(4).putInt(PAYLOAD.length).array());
        w.write(PAYLOAD);
        w.drain();
        int n = ByteBuffer.wrap(r.readExactly(4)).getInt();
        assertArrayEquals(PAYLOAD, r.readExactly(n));
        assertTrue(w.canWriteEof());
        w.writeEof();
        assertEquals("bye\n", s(r.read(-1)));
        assertTrue(r.atEof());
        w.close();
        w.waitClosed();
    }

    @ParameterizedTest(name = "CPython {1} client over {0} against startServer")
    @CsvSource({"tcp, asyncio", "tcp, uvloop", "unix, asyncio", "unix, uvloop"})
    void cpythonClientAgainstOurServer(String kind, String flavour) throws Exception {
        if (!flavour.equals("asyncio")) {
            Peers.python("uvloop");
        }
        Path dir = Files.createTempDirectory("jasyncio-interop");
        Path sock = dir.resolve("s.sock");
        try {
            StreamLoops.runReal(() -> {
                Event done = new Event();
                Server srv = kind.equals("tcp")
                        ? Streams.startServer(javaServer(done), "127.0.0.1", 0)
                        : Streams.startUnixServer(javaServer(done), sock);
                try {
                    Process p = startPython("client", kind,
                            kind.equals("tcp") ? Integer.toString(srv.port()) : sock.toString(), flavour);
                    String out = finish(p);
                    assertEquals("ok", out.strip(), out);
                    Asyncio.timeout(5).run(done::await);
                } finally {
                    srv.close();
                    srv.closeClients();
                    srv.waitClosed();
                }
            });
        } finally {
            Files.deleteIfExists(sock);
            Files.deleteIfExists(dir);
        }
    }

    @ParameterizedTest(name = "openConnection over {0} against a CPython {1} server")
    @CsvSource({"tcp, asyncio", "tcp, uvloop", "unix, asyncio", "unix, uvloop"})
    void ourClientAgainstACpythonServer(String kind, String flavour) throws Exception {
        if (!flavour.equals("asyncio")) {
            Peers.python("uvloop");
        }
        Path dir = Files.createTempDirectory("jasyncio-interop");
        Path sock = dir.resolve("s.sock");
        try {
            StreamLoops.runReal(() -> {
                Process p = kind.equals("tcp")
                        ? startPython("server", "tcp", flavour)
                        : startPython("server", "unix", sock.toString(), flavour);
                try {
                    BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                    String ready = Asyncio.toThread(out::readLine);
                    assertTrue(ready != null && ready.startsWith("ready"), "the peer said: " + ready);
                    StreamConnection c = kind.equals("tcp")
                            ? Streams.openConnection("127.0.0.1", Integer.parseInt(ready.split(" ")[1]))
                            : Streams.openUnixConnection(sock);
                    javaClient(c);
                    String rest = Asyncio.toThread(() -> {
                        StringBuilder sb = new StringBuilder();
                        for (String l; (l = out.readLine()) != null; ) {
                            sb.append(l).append('\n');
                        }
                        return sb.toString();
                    });
                    assertEquals("ok", rest.strip(), rest);
                    assertTrue(Asyncio.toThread(() -> p.waitFor(25, TimeUnit.SECONDS)));
                    assertEquals(0, p.exitValue());
                } finally {
                    p.destroyForcibly();
                }
            });
        } finally {
            Files.deleteIfExists(sock);
            Files.deleteIfExists(dir);
        }
    }
}
