package io.jasyncio.examples.echo;

import io.jasyncio.net.TlsContexts;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import java.io.IOException;
import java.net.Socket;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The echo server's line protocol over real loopback connections, with plain blocking sockets as
 * clients: the server runs in this JVM on its own loop thread ({@link EchoCluster}, without
 * signal handlers).
 */
@Timeout(60)
class EchoServerTest {
    private EchoCluster cluster;
    private final Log log = new Log();

    private int start(EchoConfig config) throws IOException {
        cluster = EchoCluster.start(config.withPort(0), log.writer, false);
        return cluster.port();
    }

    private int start() throws IOException {
        return start(EchoConfig.DEFAULTS);
    }

    @AfterEach
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void theGreetingSaysWhatToDo() throws IOException {
        int port = start();
        try (LineClient c = LineClient.connect(port)) {
            assertEquals("welcome to jasyncio echo: type a line and get it back; lines up to 8192 bytes; quit to leave\r\n",
                    c.readLine());
        }
    }

    @Test
    void withoutTheGreetingTheFirstLineIsTheEcho() throws IOException {
        int port = start(new EchoConfig("127.0.0.1", 0, 1, 100, 8192, 10, false, false, null));
        try (LineClient c = LineClient.connect(port)) {
            assertEquals("first\n", c.roundTrip("first\n"));
        }
    }

    @Test
    void linesComeBackByteForByteWithTheirOwnEndings() throws IOException {
        int port = start();
        try (LineClient c = LineClient.greeted(port)) {
            assertEquals("hello\n", c.roundTrip("hello\n"));
            assertEquals("telnet sends CRLF\r\n", c.roundTrip("telnet sends CRLF\r\n"));
            assertEquals("\n", c.roundTrip("\n"));
            assertEquals("\r\n", c.roundTrip("\r\n"));
            assertEquals("a lone \r inside\n", c.roundTrip("a lone \r inside\n"));
            assertEquals("héllo wörld ✓\r\n", c.roundTrip("héllo wörld ✓\r\n"));
            byte[] binary = new byte[256];
            for (int i = 0; i < 256; i++) {
                binary[i] = (byte) (i == '\n' ? 0 : i);
            }
            binary[255] = '\n';
            c.send(binary);
            assertEquals(new String(binary, StandardCharsets.UTF_8), c.readLine(), "any bytes but the newline pass");
        }
    }

    @Test
    void severalLinesInOneWriteAndOneLineInManyWrites() throws Exception {
        int port = start();
        try (LineClient c = LineClient.greeted(port)) {
            c.send("one\ntwo\r\nthree\n");
            assertEquals("one\n", c.readLine());
            assertEquals("two\r\n", c.readLine());
            assertEquals("three\n", c.readLine());
            for (String piece : List.of("sl", "ow", "ly ", "typed", "\r", "\n")) {
                c.send(piece);
                Thread.sleep(5);
            }
            assertEquals("slowly typed\r\n", c.readLine());
        }
    }

    @Test
    void aLineOfExactlyTheLimitIsEchoed() throws IOException {
        int port = start(EchoConfig.DEFAULTS.withMaxLine(16));
        try (LineClient c = LineClient.greeted(port)) {
            String sixteen = "0123456789abcdef";
            assertEquals(sixteen + "\n", c.roundTrip(sixteen + "\n"));
        }
    }

    @Test
    void aLineOfExactlyTheLimitPlusCrlfIsEchoedAndOneByteMoreIsNot() throws IOException {
        int port = start(EchoConfig.DEFAULTS.withMaxLine(16));
        try (LineClient c = LineClient.greeted(port)) {
            String sixteen = "0123456789abcdef";
            assertEquals(sixteen + "\r\n", c.roundTrip(sixteen + "\r\n"), "a telnet user's line of the limit");
            assertEquals("error: line longer than 16 bytes, discarded\r\n", c.roundTrip(sixteen + "g\r\n"));
            assertEquals("error: line longer than 16 bytes, discarded\r\n", c.roundTrip(sixteen + "\r\r\n"),
                    "only one CR belongs to the ending");
            assertEquals("error: line longer than 16 bytes, discarded\r\n", c.roundTrip(sixteen + "gh\r\n"));
            assertEquals(sixteen + "\n", c.roundTrip(sixteen + "\n"));
        }
    }

    @Test
    void anOverlongLineGetsAnErrorLineAndTheConnectionStaysUsable() throws IOException {
        int port = start(EchoConfig.DEFAULTS.withMaxLine(16));
        try (LineClient c = LineClient.greeted(port)) {
            assertEquals("error: line longer than 16 bytes, discarded\r\n", c.roundTrip("0123456789abcdefg\n"));
            assertEquals("still here\r\n", c.roundTrip("still here\r\n"));
            // The newline and the next line arrive together with the over-long one.
            c.send("x".repeat(100) + "\r\nnext\r\n");
            assertEquals("error: line longer than 16 bytes, discarded\r\n", c.readLine());
            assertEquals("next\r\n", c.readLine());
        }
    }

    @Test
    void anOverlongLineInPiecesIsDiscardedUpToItsNewline() throws Exception {
        int port = start(EchoConfig.DEFAULTS.withMaxLine(16));
        try (LineClient c = LineClient.greeted(port)) {
            // 20 pieces of 7 bytes: the server refuses the line once it holds more than 16 bytes
            // without a newline, and must drop every later piece until the newline.
            for (int i = 0; i < 20; i++) {
                c.send("piece" + (char) ('a' + i) + "-");
                Thread.sleep(2);
            }
            assertEquals("error: line longer than 16 bytes, discarded\r\n", c.readLine(),
                    "told as soon as the limit is passed, before the newline arrives");
            c.send("end of the long line\nafter\n");
            assertEquals("after\n", c.readLine(), "nothing of the long line is echoed");
            assertEquals("ok\n", c.roundTrip("ok\n"));
        }
    }

    @Test
    void aMegabyteWithoutNewlinesIsOneErrorAndTheConnectionSurvives() throws Exception {
        int port = start(EchoConfig.DEFAULTS.withMaxLine(1024));
        try (LineClient c = LineClient.greeted(port)) {
            byte[] mb = new byte[1 << 20];
            Arrays.fill(mb, (byte) 'z');
            Thread writer = Thread.ofVirtual().start(() -> {
                try {
                    c.send(mb);
                    c.send("\nbye-bye\n");
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            assertEquals("error: line longer than 1024 bytes, discarded\r\n", c.readLine());
            assertEquals("bye-bye\n", c.readLine(), "exactly one error for one line, however long");
            writer.join();
        }
    }

    @Test
    void whatFollowsTheLastNewlineIsEchoedWhenTheClientHalfCloses() throws IOException {
        int port = start();
        try (LineClient c = LineClient.greeted(port)) {
            c.send("whole\nand a tail");
            c.shutdownOutput();
            assertEquals("whole\n", c.readLine());
            assertEquals("and a tail", c.readLine());
            assertEquals("", c.readLine(), "then the server closes");
        }
    }

    @Test
    void quitAloneOnALineSaysByeAndCloses() throws IOException {
        int port = start();
        try (LineClient c = LineClient.greeted(port)) {
            assertEquals("quit now\n", c.roundTrip("quit now\n"), "only 'quit' alone is the command");
            assertEquals("bye\r\n", c.roundTrip("  QUIT \r\n".trim() + "\r\n"));
            assertEquals("", c.readLine());
        }
        assertTrue(EchoServer.isQuit("quit\n".getBytes()) && EchoServer.isQuit("Quit \r\n".getBytes())
                && !EchoServer.isQuit("quits\n".getBytes()) && !EchoServer.isQuit("\n".getBytes()));
    }

    @Test
    void manyClientsAtOnceEachGetTheirOwnLines() throws Exception {
        int port = start();
        int clients = 64;
        int lines = 50;
        CountDownLatch go = new CountDownLatch(1);
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Integer>> results = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                int id = i;
                results.add(pool.submit(() -> {
                    try (LineClient c = LineClient.greeted(port)) {
                        go.await();
                        // Pipelined: all lines out, then all back, in order.
                        StringBuilder all = new StringBuilder();
                        for (int k = 0; k < lines; k++) {
                            all.append("client ").append(id).append(" line ").append(k).append(k % 2 == 0 ? "\n" : "\r\n");
                        }
                        c.send(all.toString());
                        int ok = 0;
                        for (int k = 0; k < lines; k++) {
                            String want = "client " + id + " line " + k + (k % 2 == 0 ? "\n" : "\r\n");
                            if (c.readLine().equals(want)) {
                                ok++;
                            }
                        }
                        return ok;
                    }
                }));
            }
            go.countDown();
            for (Future<Integer> f : results) {
                assertEquals(lines, f.get());
            }
        }
        assertEquals(List.of((long) clients), cluster.acceptedPerLoop());
    }

    @Test
    void aClientThatResetsDoesNotDisturbTheOthers() throws Exception {
        int port = start();
        try (LineClient steady = LineClient.greeted(port)) {
            LineClient rude = LineClient.greeted(port);
            rude.send("half a li");
            rude.socket.setSoLinger(true, 0);
            rude.close();                                   // RST
            assertEquals("fine\n", steady.roundTrip("fine\n"));
            for (int i = 0; i < 2000 && cluster.openConnections() != 1; i++) {
                Thread.sleep(5);
            }
            assertEquals(1, cluster.openConnections(), "the reset connection's handler ended");
            assertEquals("still fine\n", steady.roundTrip("still fine\n"));
        }
    }

    @Test
    void aClientThatNeverReadsIsHeldBackAndOthersAreServed() throws Exception {
        int port = start();
        try (LineClient hog = LineClient.greeted(port); LineClient other = LineClient.greeted(port)) {
            // Offer 100 MB of lines and never read the echoes: the server's drain() waits, it
            // stops reading from this client, the socket buffers fill, and our writes block.
            java.util.concurrent.atomic.AtomicLong sent = new java.util.concurrent.atomic.AtomicLong();
            byte[] line = ("x".repeat(999) + "\n").getBytes(StandardCharsets.UTF_8);
            Thread writer = Thread.ofVirtual().start(() -> {
                try {
                    for (int i = 0; i < 100_000; i++) {
                        hog.send(line);
                        sent.addAndGet(line.length);
                    }
                } catch (IOException closed) {
                    // the test ends by closing the socket
                }
            });
            long last = -1;
            for (int still = 0; still < 3 && writer.isAlive(); ) {       // until no progress for 3 looks
                Thread.sleep(100);
                long now = sent.get();
                still = now == last ? still + 1 : 0;
                last = now;
            }
            assertTrue(writer.isAlive(), "backpressure: the writer is blocked after " + sent.get() + " bytes");
            assertTrue(sent.get() < 64L << 20, "held back after " + sent.get() + " bytes of 100 MB");
            assertEquals("others are served\n", other.roundTrip("others are served\n"));
            hog.close();
            writer.join(Duration.ofSeconds(20));
            assertFalse(writer.isAlive());
        }
    }

    @Test
    void overTls() throws Exception {
        Path dir = resources();
        SSLContext server = TlsContexts.server(dir.resolve("localhost.p12"), "changeit".toCharArray());
        SSLContext client = TlsContexts.clientTrusting(dir.resolve("ca.pem"));
        int port = start(EchoConfig.DEFAULTS.withSsl(server));
        try (Socket plain = new Socket("127.0.0.1", port)) {
            SSLSocket s = (SSLSocket) client.getSocketFactory().createSocket(plain, "localhost", port, true);
            s.startHandshake();
            try (LineClient c = new LineClient(s)) {
                assertTrue(c.readLine().startsWith("welcome to jasyncio echo"));
                assertEquals("secret\r\n", c.roundTrip("secret\r\n"));
                assertEquals("error: line longer than 8192 bytes, discarded\r\n", c.roundTrip("y".repeat(10_000) + "\n"));
                assertEquals("bye\r\n", c.roundTrip("quit\r\n"));
                assertNull(c.readLineOrNull());
            }
        }
    }

    static Path resources() throws URISyntaxException {
        return Path.of(EchoServerTest.class.getResource("localhost.p12").toURI()).getParent();
    }
}
