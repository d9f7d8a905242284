package io.jasyncio.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jasyncio.AsyncFuture;
import io.jasyncio.Asyncio;
import io.jasyncio.CheckedRunnable;
import io.jasyncio.EventLoop;
import io.jasyncio.ExceptionContext;
import io.jasyncio.Peers;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Our TLS against peers no one here wrote: CPython's asyncio and ssl module as client and as
 * server, and {@code openssl s_client}, on loopback, TLS 1.3 and 1.2. Skipped when the peer's
 * program is missing. Real time: the peers are other processes.
 */
@Tag("interop")
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class TlsInteropTest {
    private static final long PEER_SECONDS = 30;

    @BeforeAll
    static void loadContextsOffTheLoop() {
        TlsFixtures.server();
        TlsFixtures.client();
    }


    /** Runs {@code body} in a real-time debug loop; calls to the exception handler fail the test. */
    static void runRealTime(CheckedRunnable body) {
        List<ExceptionContext> errors = new ArrayList<>();
        EventLoop loop = EventLoop.builder().debug(true).build();
        loop.setExceptionHandler((l, ctx) -> {
            synchronized (errors) {
                errors.add(ctx);
            }
        });
        try {
            loop.runUntilComplete(() -> {
                body.run();
                return null;
            });
        } finally {
            loop.close();
        }
        synchronized (errors) {
            if (!errors.isEmpty()) {
                throw new AssertionError("unexpected calls to the exception handler: " + errors);
            }
        }
    }

    /** A finished peer process: exit status and everything it printed. */
    record Outcome(int status, String out) {}

    /** Starts a process, feeds it {@code stdin}, waits for it off the loop (bounded). */
    static Outcome runPeer(List<String> command, String stdin) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        return Asyncio.toThread(() -> {
            try (var in = p.getOutputStream()) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            } catch (IOException ignored) {
                // the peer may exit without reading
            }
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(PEER_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("the peer did not finish: " + command);
            }
            return new Outcome(p.exitValue(), new String(out, StandardCharsets.UTF_8));
        });
    }

    /** An echo server protocol that remembers how its connection ended. */
    static class Echo implements Protocol {
        final AsyncFuture<Exception> lost = Asyncio.getRunningLoop().createFuture();
        final List<String> events = new ArrayList<>();
        Transport t;

        @Override
        public void connectionMade(Transport transport) {
            t = transport;
            events.add("made " + transport.getExtraInfo(ExtraInfo.TLS_VERSION));
        }

        @Override
        public void dataReceived(byte[] data) {
            t.write(data);
        }

        @Override
        public boolean eofReceived() {
            events.add("eof");
            return false;
        }

        @Override
        public void pauseWriting() {
            t.pauseReading();
        }

        @Override
        public void resumeWriting() {
            t.resumeReading();
        }

        @Override
        public void connectionLost(Exception exc) {
            events.add("lost");
            lost.setResult(exc);
        }
    }

    // ------------------------------------------------------------------ CPython as the client

    private static final String PY_CLIENT = """
            import asyncio, ssl, sys, socket
            port, version = int(sys.argv[1]), sys.argv[2]
            ctx = ssl.create_default_context(cafile=sys.argv[3])
            if version == '1.2':
                ctx.maximum_version = ssl.TLSVersion.TLSv1_2
            payload = bytes(range(256)) * 4096 * 2  # 2 MiB

            async def with_asyncio():
                r, w = await asyncio.open_connection('127.0.0.1', port, ssl=ctx, server_hostname='localhost')
                w.write(payload)
                await w.drain()
                got = await r.readexactly(len(payload))
                assert got == payload, 'echo differs'
                print('asyncio', w.get_extra_info('ssl_object').version(), flush=True)
                w.close()
                await w.wait_closed()

            def with_ssl_module():
                with socket.create_connection(('127.0.0.1', port), timeout=20) as raw:
                    s = ctx.wrap_socket(raw, server_hostname='localhost')
                    s.sendall(b'ping')
                    got = b''
                    while len(got) < 4:
                        got += s.recv(4 - len(got))
                    assert got == b'ping', got
                    version = s.version()
                    s.unwrap()  # close_notify both ways: ours, then the server's answer
                    print('ssl', version, flush=True)

            asyncio.run(with_asyncio())
            with_ssl_module()
            print('OK')
            """;

    void cpythonClient(String version, String expected) {
        String py = Peers.python();
        runRealTime(() -> {
            EventLoop loop = Asyncio.getRunningLoop();
            List<Echo> conns = new ArrayList<>();
            Server srv = loop.createServer(() -> {
                Echo e = new Echo();
                conns.add(e);
                return e;
            }, "127.0.0.1", 0, ServerOptions.builder().ssl(TlsFixtures.server()).build());
            Outcome o = runPeer(List.of(py, "-c", PY_CLIENT, Integer.toString(srv.port()), version,
                    TlsFixtures.CA_PEM.toString()), "");
            assertEquals(0, o.status(), o.out());
            assertEquals("asyncio " + expected + "\nssl " + expected + "\nOK\n", o.out());
            assertEquals(2, conns.size());
            for (Echo e : conns) {
                assertNull(e.lost.await(), "a clean close both ways: " + e.events);
                assertEquals(List.of("made " + expected, "eof", "lost"), e.events);
            }
            srv.close();
            srv.waitClosed();
        });
    }

    @Test
    void cpythonClientsTls13() {
        cpythonClient("1.3", "TLSv1.3");
    }

    @Test
    void cpythonClientsTls12() {
        cpythonClient("1.2", "TLSv1.2");
    }

    // ------------------------------------------------------------------ CPython as the server

    private static final String PY_SERVER = """
            import asyncio, ssl, sys
            ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            ctx.load_cert_chain(sys.argv[1], sys.argv[2])
            if sys.argv[3] == '1.2':
                ctx.maximum_version = ssl.TLSVersion.TLSv1_2

            async def echo(r, w):
                while data := await r.read(65536):
                    w.write(data)
                    await w.drain()
                print('eof', flush=True)
                w.close()
                await w.wait_closed()
                done.set_result(None)

            async def main():
                global done
                done = asyncio.get_running_loop().create_future()
                srv = await asyncio.start_server(echo, '127.0.0.1', 0, ssl=ctx)
                print(srv.sockets[0].getsockname()[1], flush=True)
                await asyncio.wait_for(done, 30)
                srv.close()
                print('OK', flush=True)

            asyncio.run(main())
            """;

    void cpythonServer(String version, String expected) {
        String py = Peers.python();
        runRealTime(() -> {
            EventLoop loop = Asyncio.getRunningLoop();
            Process p = new ProcessBuilder(py, "-c", PY_SERVER, TlsFixtures.CERT_PEM.toString(),
                    TlsFixtures.KEY_PEM.toString(), version).redirectErrorStream(true).start();
            try {
                BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                String first = Asyncio.toThread(out::readLine);
                int port = Integer.parseInt(first == null ? "-1" : first.trim());
                Endpoint<TlsTest.Writer> c = loop.createConnection(TlsTest.Writer::new, "localhost", port,
                        ConnectOptions.builder().ssl(TlsFixtures.client()).build());
                assertEquals(expected, c.transport().getExtraInfo(ExtraInfo.TLS_VERSION));
                byte[] payload = new byte[3 * 1024 * 1024];
                new Random(11).nextBytes(payload);
                for (int off = 0; off < payload.length; off += 100_000) {
                    c.transport().write(payload, off, Math.min(100_000, payload.length - off));
                    c.protocol().drain();
                }
                c.protocol().awaitBytes(payload.length);
                assertArrayEquals(payload, c.protocol().received.toByteArray());
                c.transport().close();
                c.protocol().lost.await();
                assertNull(c.protocol().lostWith, "the server answered our close_notify");
                String rest = Asyncio.toThread(() -> new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
                assertTrue(Asyncio.toThread(() -> p.waitFor(PEER_SECONDS, TimeUnit.SECONDS)), "the server exits");
                assertEquals("eof\nOK\n", rest);
                assertEquals(0, p.exitValue(), rest);
            } finally {
                p.destroyForcibly();
            }
        });
    }

    @Test
    void cpythonServerTls13() {
        cpythonServer("1.3", "TLSv1.3");
    }

    @Test
    void cpythonServerTls12() {
        cpythonServer("1.2", "TLSv1.2");
    }

    // ------------------------------------------------------------------ openssl s_client

    void opensslClient(String versionFlag, String expected) {
        String openssl = Peers.command("openssl");
        runRealTime(() -> {
            EventLoop loop = Asyncio.getRunningLoop();
            List<Echo> conns = new ArrayList<>();
            // Echo one line, then close: s_client (-ign_eof) reads until we do.
            Server srv = loop.createServer(() -> {
                Echo e = new Echo() {
                    @Override
                    public void dataReceived(byte[] data) {
                        t.write(data);
                        t.close();
                    }
                };
                conns.add(e);
                return e;
            }, "127.0.0.1", 0, ServerOptions.builder().ssl(TlsFixtures.server()).build());
            Outcome o = runPeer(List.of(openssl, "s_client", versionFlag, "-connect", "127.0.0.1:" + srv.port(),
                    "-servername", "localhost", "-verify_hostname", "localhost", "-CAfile",
                    TlsFixtures.CA_PEM.toString(), "-verify_return_error", "-ign_eof", "-brief"),
                    "ping from openssl\n");
            assertEquals(0, o.status(), o.out());
            assertTrue(o.out().contains("ping from openssl"), o.out());
            assertTrue(o.out().contains("Verification: OK"), o.out());
            assertTrue(o.out().contains("Protocol version: " + expected), o.out());
            assertEquals(1, conns.size());
            conns.get(0).lost.await();
            srv.close();
            srv.waitClosed();
        });
    }

    @Test
    void opensslSClientTls13() {
        opensslClient("-tls1_3", "TLSv1.3");
    }

    @Test
    void opensslSClientTls12() {
        opensslClient("-tls1_2", "TLSv1.2");
    }
}
