package io.jasyncio.streams;

import io.jasyncio.Asyncio;
import io.jasyncio.CancelledError;
import io.jasyncio.EventLoop;
import io.jasyncio.ExceptionContext;
import io.jasyncio.Task;
import io.jasyncio.TaskGroup;
import io.jasyncio.net.ConnectOptions;
import io.jasyncio.net.Endpoint;
import io.jasyncio.net.ExtraInfo;
import io.jasyncio.net.Server;
import io.jasyncio.net.ServerOptions;
import io.jasyncio.sync.Event;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static io.jasyncio.streams.StreamReaderTest.b;
import static io.jasyncio.streams.StreamReaderTest.s;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Streams over real loopback connections: the reader and writer contract (asyncio's
 * test_streams over sockets), flow control both ways, and the faults of issue 5 item 10.
 */
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class StreamSocketTest {

    static final String HOST = "127.0.0.1";

    /** Starts a server, runs the body against it, then closes the server and its clients. */
    static void withServer(ClientConnectedHandler handler, ServerBody body) throws Exception {
        withServer(handler, StreamReader.DEFAULT_LIMIT, body);
    }

    static void withServer(ClientConnectedHandler handler, int limit, ServerBody body) throws Exception {
        Server srv = Streams.startServer(handler, HOST, 0, ServerOptions.DEFAULTS, limit);
        try {
            body.run(srv);
        } finally {
            srv.close();
            srv.closeClients();
            srv.waitClosed();
        }
    }

    @FunctionalInterface
    interface ServerBody {
        void run(Server srv) throws Exception;
    }

    static byte[] frame(byte[] payload) {
        return ByteBuffer.allocate(4 + payload.length).putInt(payload.length).put(payload).array();
    }

    static byte[] readFrame(StreamReader r) throws IOException {
        int n = ByteBuffer.wrap(r.readExactly(4)).getInt();
        return r.readExactly(n);
    }

    static byte[] random(int n, long seed) {
        byte[] d = new byte[n];
        new Random(seed).nextBytes(d);
        return d;
    }

    /** Echoes lines until EOF, then says bye and closes. */
    static final ClientConnectedHandler LINE_ECHO = (r, w) -> {
        for (byte[] line : r) {
            w.write(line);
            w.drain();
        }
        w.write(b("bye\n"));
        w.close();
        w.waitClosed();
    };

    /**
     * The server timeouts through {@code startServer}, on the system clock (the virtual-time cases
     * are in {@code io.jasyncio.net.ServerTimeoutTest}): a normal client is served as usual, a
     * silent one is closed, and its handler's read fails with the reason.
     */
    @Test
    void startServerWithTimeoutsClosesASilentClientAndServesANormalOne() {
        List<Exception> handlerSaw = new ArrayList<>();
        ClientConnectedHandler echo = (r, w) -> {
            try {
                for (byte[] line : r) {
                    w.write(line);
                    w.drain();
                }
            } catch (IOException e) {
                handlerSaw.add(e);
            } finally {
                w.close();
            }
        };
        ServerOptions o = ServerOptions.builder().firstByteTimeout(java.time.Duration.ofSeconds(1))
                .idleTimeout(java.time.Duration.ofSeconds(20)).build();
        StreamLoops.runReal(() -> {
            Server srv = Streams.startServer(echo, HOST, 0, o, StreamReader.DEFAULT_LIMIT);
            try (StreamConnection normal = Streams.openConnection(HOST, srv.port());
                    StreamConnection silent = Streams.openConnection(HOST, srv.port())) {
                for (int i = 0; i < 20; i++) {
                    normal.writer().write(b("line " + i + "\n"));
                    normal.writer().drain();
                    assertEquals("line " + i + "\n", s(normal.reader().readline()));
                }
                // The silent one is closed after its 1 s (bounded by the class's timeout).
                assertEquals(0, silent.reader().read(-1).length);
                assertTrue(silent.reader().atEof());
                normal.writer().write(b("still here\n"));
                assertEquals("still here\n", s(normal.reader().readline()));
                assertEquals(1, handlerSaw.size(), handlerSaw.toString());
                assertInstanceOf(java.net.SocketTimeoutException.class, handlerSaw.get(0));
                assertEquals("connection closed by the server: no byte received within 1 s of connecting",
                        handlerSaw.get(0).getMessage());
            } finally {
                srv.close();
                srv.closeClients();
                srv.waitClosed();
            }
        });
    }

    @Nested
    class Conformance {
        @Test
        void linesRoundTripThenHalfCloseThenClose() {
            StreamLoops.runReal(() -> withServer(LINE_ECHO, srv -> {
                try (StreamConnection c = Streams.openConnection(HOST, srv.port())) {
                    for (int i = 0; i < 50; i++) {
                        c.writer().write(b("line " + i + "\n"));
                    }
                    c.writer().drain();
                    for (int i = 0; i < 50; i++) {
                        assertEquals("line " + i + "\n", s(c.reader().readline()));
                    }
                    assertTrue(c.writer().canWriteEof());
                    c.writer().writeEof();                      // half-close: we can still read
                    assertEquals("bye\n", s(c.reader().read(-1)));
                    assertTrue(c.reader().atEof());
                    assertEquals(0, c.reader().readline().length);
                    assertEquals(new InetSocketAddress(HOST, srv.port()), c.writer().getExtraInfo(ExtraInfo.PEERNAME));
                }
            }));
        }

        @Test
        void framesWithReadExactlyBothWays() {
            ClientConnectedHandler echoFrames = (r, w) -> {
                while (true) {
                    byte[] payload;
                    try {
                        payload = readFrame(r);
                    } catch (IncompleteReadException e) {
                        assertEquals(0, e.partial().length, "the stream ended between frames");
                        break;
                    }
                    w.write(frame(payload));
                    w.drain();
                }
                w.close();
            };
            StreamLoops.runReal(() -> withServer(echoFrames, srv -> {
                StreamConnection c = Streams.openConnection(HOST, srv.port());
                List<byte[]> sent = new ArrayList<>();
                for (int size : new int[] {0, 1, 100, 65_536, 65_537, 1 << 20}) {
                    byte[] p = random(size, size);
                    sent.add(p);
                    c.writer().write(frame(p));
                }
                c.writer().drain();
                for (byte[] p : sent) {
                    assertArrayEquals(p, readFrame(c.reader()));
                }
                c.writer().writeEof();
                assertEquals(0, c.reader().read(100).length);
                c.close();
                c.writer().waitClosed();
                assertTrue(c.writer().isClosing());
            }));
        }

        @Test
        void readUntilWithSeveralSeparatorsOverASocket() {
            ClientConnectedHandler handler = (r, w) -> {
                w.write(b("GET / HTTP/1.1\r\nHost: x\nlast\r\n\r\nbody"));
                w.close();
            };
            StreamLoops.runReal(() -> withServer(handler, srv -> {
                StreamConnection c = Streams.openConnection(HOST, srv.port());
                byte[] crlf = b("\r\n");
                byte[] lf = b("\n");
                assertEquals("GET / HTTP/1.1\r\n", s(c.reader().readUntil(crlf, lf)));
                assertEquals("Host: x\n", s(c.reader().readUntil(crlf, lf)));
                assertEquals("last\r\n\r\n", s(c.reader().readUntil(b("\r\n\r\n"))));
                IncompleteReadException e = assertThrows(IncompleteReadException.class, () -> c.reader().readUntil(crlf));
                assertEquals("body", s(e.partial()));
                assertTrue(c.reader().atEof());
                c.close();
            }));
        }

        @Test
        void theServersLimitAppliesToEachConnection() {
            ClientConnectedHandler handler = (r, w) -> {
                // readline drops an oversize line (the rest of it may come back as a line of its own).
                int overruns = 0;
                while (true) {
                    try {
                        if (s(r.readline()).equals("short\n")) {
                            break;
                        }
                    } catch (LimitOverrunException e) {
                        assertTrue(e.consumed() > 1024);
                        overruns++;
                    }
                }
                w.write(b("overrun " + (overruns > 0) + "\n"));
                // readUntil keeps the data: it can still be read some other way.
                assertThrows(LimitOverrunException.class, () -> r.readUntil(b("!")));
                w.write(b(r.readExactly(3000).length + "\n"));
                w.write(r.readUntil(b("!")));
                w.close();
            };
            StreamLoops.runReal(() -> withServer(handler, 1024, srv -> {
                StreamConnection c = Streams.openConnection(HOST, srv.port());
                byte[] longLine = new byte[5000];
                Arrays.fill(longLine, (byte) 'x');
                c.writer().write(longLine);
                c.writer().write(b("\nshort\n"));
                byte[] longChunk = new byte[3000];
                Arrays.fill(longChunk, (byte) 'y');
                c.writer().write(longChunk);
                c.writer().write(b("ok!"));
                assertEquals("overrun true\n", s(c.reader().readline()));
                assertEquals("3000\n", s(c.reader().readline()));
                assertEquals("ok!", s(c.reader().read(-1)));
                c.close();
            }));
        }

        @Test
        void drainWaitsForTheLowWaterMarkAndManyTasksMayDrain() {
            Event release = new Event();
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            ClientConnectedHandler slowReader = (r, w) -> {
                release.await();
                got.write(r.read(-1));
            };
            StreamLoops.runReal(() -> withServer(slowReader, srv -> {
                StreamConnection c = Streams.openConnection(HOST, srv.port());
                StreamWriter w = c.writer();
                w.transport().setWriteBufferLimits(64 * 1024, 16 * 1024);
                byte[] chunk = new byte[64 * 1024];
                int written = 0;
                // Fill the kernel's buffers and ours until the transport pauses us.
                while (w.transport().getWriteBufferSize() <= 64 * 1024) {
                    w.write(chunk);
                    written += chunk.length;
                    Asyncio.sleep(0.001);
                }
                List<Task<Integer>> drains = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    drains.add(Asyncio.createTask(() -> {
                        w.drain();
                        return w.transport().getWriteBufferSize();
                    }));
                }
                Asyncio.sleep(0.05);
                for (Task<Integer> d : drains) {
                    assertFalse(d.isDone(), "drain returned while the buffer is above the high-water mark");
                }
                release.set();
                for (Task<Integer> d : drains) {
                    assertTrue(d.await() <= 16 * 1024, "drain returned above the low-water mark");
                }
                w.close();
                w.waitClosed();
                while (got.size() < written) {
                    Asyncio.sleep(0.01);
                }
                assertEquals(written, got.size());
            }));
        }

        @Test
        void aStreamConnectionClosesInTryWithResources() {
            Event closedSeen = new Event();
            ClientConnectedHandler handler = (r, w) -> {
                assertEquals(0, r.read(-1).length);
                closedSeen.set();
                w.close();
            };
            StreamLoops.runReal(() -> withServer(handler, srv -> {
                StreamWriter w;
                try (StreamConnection c = Streams.openConnection(HOST, srv.port())) {
                    w = c.writer();
                    assertFalse(w.isClosing());
                }
                assertTrue(w.isClosing());
                w.waitClosed();
                closedSeen.await();
                SocketException lost = assertThrows(SocketException.class, w::drain);
                assertTrue(lost.getMessage().contains("Connection lost"));
            }));
        }

        @Test
        void unixSocketsToo() throws Exception {
            Path dir = Files.createTempDirectory("jasyncio-streams");
            Path sock = dir.resolve("s.sock");
            try {
                StreamLoops.runReal(() -> {
                    Server srv = Streams.startUnixServer(LINE_ECHO, sock);
                    try {
                        StreamConnection c = Streams.openUnixConnection(sock);
                        c.writer().write(b("over unix\n"));
                        assertEquals("over unix\n", s(c.reader().readline()));
                        c.writer().writeEof();
                        assertEquals("bye\n", s(c.reader().read(-1)));
                        c.close();
                        c.writer().waitClosed();
                    } finally {
                        srv.close();
                        srv.waitClosed();
                    }
                });
            } finally {
                Files.deleteIfExists(sock);
                Files.deleteIfExists(dir);
            }
        }

        @Test
        void openConnectionTakesOptionsAndALimit() {
            ClientConnectedHandler handler = (r, w) -> {
                w.write(new byte[100]);
                w.write(b("\n"));
                w.close();
            };
            StreamLoops.runReal(() -> withServer(handler, srv -> {
                StreamConnection c = Streams.openConnection(HOST, srv.port(),
                        ConnectOptions.builder().connectTimeout(5).build(), 10);
                assertEquals(10, c.reader().limit());
                assertThrows(LimitOverrunException.class, c.reader()::readline);
                c.close();
                assertThrows(IllegalArgumentException.class,
                        () -> Streams.startServer(LINE_ECHO, HOST, 0, ServerOptions.DEFAULTS, 0));
            }));
        }
    }

    @Nested
    class Faults {
        @Test
        void connectionRefused() {
            StreamLoops.runReal(() -> {
                int port;
                try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
                    port = s.getLocalPort();
                }
                assertThrows(ConnectException.class, () -> Streams.openConnection(HOST, port));
            });
        }

        @Test
        void peerResetMidReadFailsTheReadAndTheDrain() {
            ClientConnectedHandler handler = (r, w) -> {
                w.write(b("0123456789"));
                r.readline();                    // wait for the client's go
                w.transport().abort();           // a reset, mid-frame
            };
            StreamLoops.runReal(() -> withServer(handler, srv -> {
                StreamConnection c = Streams.openConnection(HOST, srv.port());
                assertEquals("0123456789", s(c.reader().readExactly(10)));
                c.writer().write(b("go\n"));
                IOException e = assertThrows(IOException.class, () -> c.reader().readExactly(100));
                assertInstanceOf(SocketException.class, e, e.toString());
                assertSame(e, c.reader().exception());
                assertSame(e, assertThrows(IOException.class, c.writer()::drain));
                assertSame(e, assertThrows(IOException.class, c.writer()::waitClosed));
                c.close();
            }));
        }

        @Test
        void eofInsideReadExactlyKeepsThePartialBytes() {
            ClientConnectedHandler handler = (r, w) -> {
                w.write(frame(new byte[10]), 0, 4 + 3);  // a header for 10 bytes, then only 3
                w.close();
            };
            StreamLoops.runReal(() -> withServer(handler, srv -> {
                StreamConnection c = Streams.openConnection(HOST, srv.port());
                IncompleteReadException e = assertThrows(IncompleteReadException.class, () -> readFrame(c.reader()));
                assertEquals(3, e.partial().length);
                assertEquals(10, e.expected());
                c.close();
            }));
        }

        @Test
        void halfCloseFromTheServerLetsTheClientFinishSending() {
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            Event done = new Event();
            ClientConnectedHandler handler = (r, w) -> {
                w.write(b("send me the rest\n"));
                w.writeEof();                    // we are done talking, not listening
                got.write(r.read(-1));
                done.set();
                w.close();
            };
            StreamLoops.runReal(() -> withServer(handler, srv -> {
                StreamConnection c = Streams.openConnection(HOST, srv.port());
                assertEquals("send me the rest\n", s(c.reader().readline()));
                assertEquals(0, c.reader().read(10).length);
                assertTrue(c.reader().atEof());
                assertFalse(c.writer().isClosing(), "a half-closed connection stays open for writing");
                byte[] rest = random(300_000, 7);
                c.writer().write(rest);
                c.writer().drain();
                c.writer().writeEof();
                done.await();
                assertArrayEquals(rest, got.toByteArray());
                c.close();
                c.writer().waitClosed();
            }));
        }

        @Test
        void aHandlerThatThrowsIsReportedAndItsConnectionClosed() {
            StreamLoops.Errors errors = new StreamLoops.Errors();
            StreamLoops.runReal(errors, () -> withServer((r, w) -> {
                r.readline();
                throw new IllegalStateException("handler bug");
            }, srv -> {
                StreamConnection c = Streams.openConnection(HOST, srv.port());
                c.writer().write(b("hi\n"));
                assertEquals(0, c.reader().read(-1).length); // the server closed the connection
                c.close();
            }));
            List<ExceptionContext> all = errors.all();
            assertEquals(1, all.size(), all.toString());
            assertEquals("Unhandled exception in client_connected_cb", all.get(0).message());
            assertEquals("handler bug", all.get(0).exception().getMessage());
            assertTrue(all.get(0).extras().containsKey("transport"));
        }

        @Test
        void aCancelledHandlerClosesItsConnection() {
            List<Task<?>> handlers = new ArrayList<>();
            StreamLoops.runReal(() -> withServer((r, w) -> {
                handlers.add(Asyncio.currentTask());
                r.read(-1);
            }, srv -> {
                StreamConnection c = Streams.openConnection(HOST, srv.port());
                while (handlers.isEmpty()) {
                    Asyncio.sleep(0.001);
                }
                handlers.get(0).cancel();
                assertEquals(0, c.reader().read(-1).length);
                c.close();
            }));
        }

        /**
         * A peer that never reads: with write-then-drain the writer's buffer stays under the
         * high-water mark plus one write, however much it has to send; when the peer reads at
         * last, every byte arrives.
         */
        @Test
        void aPeerThatNeverReadsHoldsMemoryFlatWithDrain() {
            Event release = new Event();
            long[] received = new long[1];
            ClientConnectedHandler sink = (r, w) -> {
                release.await();
                byte[] d;
                while ((d = r.read(1 << 16)).length > 0) {
                    received[0] += d.length;
                }
                w.close();
            };
            StreamLoops.runReal(() -> withServer(sink, srv -> {
                StreamConnection c = Streams.openConnection(HOST, srv.port());
                StreamWriter w = c.writer();
                int chunk = 16 * 1024;
                int high = w.transport().getWriteBufferLimits().high();
                long[] sent = new long[1];
                int[] maxBuffered = new int[1];
                Task<Void> producer = Asyncio.createTask(() -> {
                    byte[] data = new byte[chunk];
                    while (true) {
                        w.write(data);
                        sent[0] += chunk;
                        maxBuffered[0] = Math.max(maxBuffered[0], w.transport().getWriteBufferSize());
                        w.drain();
                    }
                });
                // Let the kernel's buffers fill and the producer stall in drain.
                long before;
                do {
                    before = sent[0];
                    Asyncio.sleep(0.1);
                } while (sent[0] != before);
                assertTrue(maxBuffered[0] <= high + chunk, "buffered " + maxBuffered[0]);
                producer.cancel();                  // cancelled in drain: what it wrote is still sent
                assertThrows(CancelledError.class, producer::await);
                release.set();
                w.writeEof();
                c.reader().read(-1);
                assertEquals(sent[0], received[0]);
                c.close();
            }));
        }

        @Test
        void aResetWhileDrainingFailsTheDrain() {
            Event abort = new Event();
            ClientConnectedHandler handler = (r, w) -> {
                abort.await();                   // never reads; then resets
                w.transport().abort();
            };
            StreamLoops.runReal(() -> withServer(handler, srv -> {
                StreamConnection c = Streams.openConnection(HOST, srv.port());
                StreamWriter w = c.writer();
                byte[] chunk = new byte[64 * 1024];
                long[] writes = new long[1];
                Task<Void> producer = Asyncio.createTask(() -> {
                    while (true) {
                        w.write(chunk);
                        writes[0]++;
                        w.drain();
                    }
                });
                long before;
                do {                                 // until the producer is stuck in drain
                    before = writes[0];
                    Asyncio.sleep(0.05);
                } while (writes[0] != before);
                assertTrue(w.transport().getWriteBufferSize() > 0);
                abort.set();
                // A reset seen by a read ("Connection reset") or by a write ("Broken pipe").
                assertThrows(IOException.class, producer::await);
                c.close();
            }));
        }

        /** The same peer, a producer that never drains, and a hard bound: refused, not lost. */
        @Test
        void aPeerThatNeverReadsHoldsMemoryFlatWithTheHardBound() {
            Event release = new Event();
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            ClientConnectedHandler sink = (r, w) -> {
                release.await();
                got.write(r.read(-1));
                w.close();
            };
            StreamLoops.runReal(() -> withServer(sink, srv -> {
                StreamConnection c = Streams.openConnection(HOST, srv.port());
                StreamWriter w = c.writer();
                int bound = 256 * 1024;
                w.setHardLimit(bound);
                assertEquals(bound, w.hardLimit());
                ByteArrayOutputStream accepted = new ByteArrayOutputStream();
                Random rnd = new Random(3);
                WriteBufferFullException full = null;
                int maxBuffered = 0;
                while (full == null) {
                    byte[] data = new byte[1 + rnd.nextInt(40_000)];
                    rnd.nextBytes(data);
                    int before = w.transport().getWriteBufferSize();
                    try {
                        if (data.length % 2 == 0) {
                            w.write(data);
                        } else {
                            int cut = Math.min(10, data.length);
                            w.writelines(List.of(Arrays.copyOf(data, cut), Arrays.copyOfRange(data, cut, data.length)));
                        }
                        accepted.write(data);
                    } catch (WriteBufferFullException e) {
                        full = e;
                        assertEquals(before, w.transport().getWriteBufferSize(), "a refused write wrote nothing");
                    }
                    maxBuffered = Math.max(maxBuffered, w.transport().getWriteBufferSize());
                    Asyncio.sleep(0); // let the loop flush what the kernel takes
                }
                assertTrue(maxBuffered <= bound, "buffered " + maxBuffered);
                assertEquals(bound, full.hardLimit());
                assertTrue(full.buffered() + full.attempted() > bound);
                assertTrue(full.getMessage().contains("hard limit"), full.getMessage());
                w.setHardLimit(-1);
                assertEquals(-1, w.hardLimit());
                release.set();
                w.writeEof();
                c.reader().read(-1);
                assertArrayEquals(accepted.toByteArray(), got.toByteArray());
                c.close();
                assertThrows(IllegalArgumentException.class, () -> w.setHardLimit(0));
            }));
        }

        /**
         * The reader's side of a peer that sends without pause: the reader holds at most 2 ×
         * limit while nobody reads, and at most the limit beyond what a read asked for.
         */
        @Test
        void aReaderNeverBuffersMoreThanItsLimitBeyondWhatWasAsked() {
            int limit = 16 * 1024;
            int total = 2 << 20;
            ClientConnectedHandler flood = (r, w) -> {
                byte[] all = random(total, 11);
                w.write(all);
                w.drain();
                w.close();
            };
            StreamLoops.runReal(() -> withServer(flood, srv -> {
                StreamReader reader = new StreamReader(limit);
                long[] asked = new long[1];
                int[] worstExcess = {Integer.MIN_VALUE};
                StreamReaderProtocol protocol = new StreamReaderProtocol(reader) {
                    @Override
                    public void bufferUpdated(int nbytes) {
                        super.bufferUpdated(nbytes);
                        long allowed = Math.max(2L * limit, asked[0] + limit);
                        worstExcess[0] = (int) Math.max(worstExcess[0], reader.buffered() - allowed);
                    }
                };
                Endpoint<StreamReaderProtocol> e = EventLoop.getRunningLoop()
                        .createConnection(() -> protocol, HOST, srv.port());
                // Nobody reads: the reader fills to 2 × limit and pauses the transport.
                for (int i = 0; i < 1000 && !reader.isPausing(); i++) {
                    Asyncio.sleep(0.01);
                }
                assertTrue(reader.isPausing());
                assertEquals(2 * limit, reader.buffered());
                ByteArrayOutputStream got = new ByteArrayOutputStream();
                Random rnd = new Random(5);
                while (true) {
                    int n = rnd.nextBoolean() ? 1 + rnd.nextInt(limit) : limit + rnd.nextInt(10 * limit);
                    asked[0] = n;
                    try {
                        got.write(reader.readExactly(n));
                    } catch (IncompleteReadException end) {
                        got.write(end.partial());
                        break;
                    } finally {
                        asked[0] = 0;
                    }
                }
                assertTrue(worstExcess[0] != Integer.MIN_VALUE, "the transport did not read into the reader's buffer");
                assertTrue(worstExcess[0] <= 0, "the reader held " + worstExcess[0] + " bytes beyond its bound");
                assertArrayEquals(random(total, 11), got.toByteArray());
                e.transport().close();
            }));
        }

        /**
         * Cancellation at every await loses no data: reads of each kind cancelled at random by
         * short timeouts, retried, still see every byte in order.
         */
        @Test
        void cancellationAtEveryAwaitLosesNoData() {
            int frames = 300;
            ClientConnectedHandler trickle = (r, w) -> {
                Random rnd = new Random(9);
                ByteArrayOutputStream all = new ByteArrayOutputStream();
                for (int i = 0; i < frames; i++) {
                    byte[] p = random(rnd.nextInt(200), i);
                    all.write(frame(p));
                    all.write(b("line " + i + "\n"));
                    all.write(b("part " + i + (i % 2 == 0 ? "\r\n" : ";")));
                }
                byte[] bytes = all.toByteArray();
                int at = 0;
                while (at < bytes.length) {
                    int n = Math.min(bytes.length - at, 1 + rnd.nextInt(300));
                    w.write(bytes, at, n);
                    at += n;
                    w.drain();
                    if (rnd.nextInt(4) == 0) {
                        Asyncio.sleep(0.0005);
                    }
                }
                w.close();
            };
            StreamLoops.runReal(() -> withServer(trickle, srv -> {
                StreamConnection c = Streams.openConnection(HOST, srv.port());
                StreamReader r = c.reader();
                int[] cancelled = new int[1];
                for (int i = 0; i < frames; i++) {
                    int ii = i;
                    int n = ByteBuffer.wrap(retry(cancelled, () -> r.readExactly(4))).getInt();
                    byte[] p = retry(cancelled, () -> r.readExactly(n));
                    assertArrayEquals(random(p.length, ii), p);
                    assertEquals("line " + i + "\n", s(retry(cancelled, r::readline)));
                    assertEquals("part " + i + (i % 2 == 0 ? "\r\n" : ";"),
                            s(retry(cancelled, () -> r.readUntil(b(";"), b("\r\n")))));
                }
                assertEquals(0, r.read(-1).length);
                assertTrue(cancelled[0] > 0, "no read was cancelled: the test proves nothing");
                c.close();
            }));
        }
    }

    interface Read {
        byte[] read() throws IOException;
    }

    /**
     * Reads with a very short timeout, again and again until a read completes: every timed-out
     * read was cancelled at its await and must have consumed nothing.
     */
    static byte[] retry(int[] cancelled, Read read) {
        while (true) {
            byte[][] out = new byte[1][];
            Asyncio.moveOnAfter(0.0003).run(() -> {
                out[0] = read.read();
            });
            if (out[0] != null) {
                return out[0];
            }
            cancelled[0]++;
        }
    }
}
