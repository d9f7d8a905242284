package io.jasyncio.examples.echo;

import io.jasyncio.examples.guide.MultiLoopEcho;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLongArray;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Several loops on one port (docs/multicore.md): the echo program's {@code --loops 2} and the
 * guide's snippet both get connections on every loop, spread by the kernel (SO_REUSEPORT hashes
 * each connection to one listening socket; with 64 connections the chance that one of two loops
 * gets none is 2 in 2^64).
 */
@Timeout(60)
class EchoMulticoreTest {
    private static final int CONNECTIONS = 64;

    @Test
    void theProgramsTwoLoopsBothTakeConnections() throws Exception {
        try (EchoCluster cluster = EchoCluster.start(EchoConfig.DEFAULTS.withPort(0).withLoops(2),
                new PrintWriter(new StringWriter()), false)) {
            List<LineClient> clients = new ArrayList<>();
            int[] byGreeting = new int[2];
            try {
                for (int i = 0; i < CONNECTIONS; i++) {          // all open at once
                    LineClient c = LineClient.connect(cluster.port());
                    clients.add(c);
                    String greeting = c.readLine();
                    for (int loop = 0; loop < 2; loop++) {
                        if (greeting.contains("(loop " + loop + " of 2)")) {
                            byGreeting[loop]++;
                        }
                    }
                    assertEquals("line " + i + "\r\n", c.roundTrip("line " + i + "\r\n"));
                }
                List<Long> perLoop = cluster.acceptedPerLoop();
                assertEquals(CONNECTIONS, perLoop.get(0) + perLoop.get(1));
                assertTrue(perLoop.get(0) > 0 && perLoop.get(1) > 0, "both loops took connections: " + perLoop);
                assertEquals(List.of((long) byGreeting[0], (long) byGreeting[1]), perLoop,
                        "each connection was served by the loop that greeted it");
                assertEquals(CONNECTIONS, cluster.openConnections());
            } finally {
                for (LineClient c : clients) {
                    c.close();
                }
            }
        }
    }

    @Test
    void aSecondProgramCannotJoinAPortInUse() throws Exception {
        try (EchoCluster first = EchoCluster.start(EchoConfig.DEFAULTS.withPort(0).withLoops(2),
                new PrintWriter(new StringWriter()), false)) {
            IOException e = assertThrows(IOException.class, () -> EchoCluster.start(
                    EchoConfig.DEFAULTS.withPort(first.port()).withLoops(2), new PrintWriter(new StringWriter()), false));
            assertTrue(e.getMessage().contains("in use"), e.getMessage());
            try (LineClient c = LineClient.greeted(first.port())) {
                assertEquals("the first is unharmed\n", c.roundTrip("the first is unharmed\n"));
            }
        }
    }

    @Test
    void theGuidesSnippetSpreadsConnectionsOverItsLoops() throws Exception {
        AtomicLongArray accepted = new AtomicLongArray(2);
        CompletableFuture<Void> stop = new CompletableFuture<>();
        List<Thread> threads = new ArrayList<>();
        try {
            int port = MultiLoopEcho.serve("127.0.0.1", 0, 2, accepted, stop, threads);
            List<LineClient> clients = new ArrayList<>();
            try {
                for (int i = 0; i < CONNECTIONS; i++) {
                    LineClient c = LineClient.connect(port);
                    clients.add(c);
                    assertEquals("hello " + i + "\n", c.roundTrip("hello " + i + "\n"));
                }
            } finally {
                for (LineClient c : clients) {
                    c.close();
                }
            }
            assertEquals(CONNECTIONS, accepted.get(0) + accepted.get(1));
            assertTrue(accepted.get(0) > 0 && accepted.get(1) > 0, "both loops took connections: " + accepted);
        } finally {
            stop.complete(null);
            for (Thread t : threads) {
                t.join(Duration.ofSeconds(20));
                assertFalse(t.isAlive(), t.getName() + " finished");
            }
        }
    }

    @Test
    void theGuideShowsTheSnippetAsItIs() throws IOException {
        String doc = Files.readString(Path.of("..", "docs", "multicore.md"));
        String src = Files.readString(Path.of("src", "test", "java", "io", "jasyncio", "examples", "guide", "MultiLoopEcho.java"));
        String body = between(src, "        ServerOptions options", "        return port;\n");
        String shown = between(doc, "    ServerOptions options", "    return port;\n");
        assertEquals(body.strip().replaceAll("\\n    ", "\n"), shown.strip(), "docs/multicore.md shows MultiLoopEcho.serve");
    }

    private static String between(String text, String from, String to) {
        int a = text.indexOf(from);
        int b = text.indexOf(to, a);
        assertTrue(a >= 0 && b > a, from);
        return text.substring(a, b + to.length());
    }
}
