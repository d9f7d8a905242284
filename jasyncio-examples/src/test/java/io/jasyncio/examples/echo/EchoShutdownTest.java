package io.jasyncio.examples.echo;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The graceful shutdown of docs/shutdown.md, in process: the test calls {@link EchoCluster#stop()}
 * and {@link EchoCluster#hurry()} directly, which is what loop 0's SIGINT/SIGTERM handler does
 * ({@code EchoSignalTest} sends the real signals to a child JVM).
 */
@Timeout(60)
class EchoShutdownTest {
    private static final Duration BOUND = Duration.ofSeconds(20);

    private EchoCluster cluster;
    private final Log log = new Log();

    private int start(double grace) throws IOException {
        return start(grace, 1);
    }

    private int start(double grace, int loops) throws IOException {
        cluster = EchoCluster.start(EchoConfig.DEFAULTS.withPort(0).withGrace(grace).withLoops(loops), log.writer, false);
        return cluster.port();
    }

    @AfterEach
    void close() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static String notice(String grace) {
        return "server shutting down: please disconnect within " + grace + "\r\n";
    }

    @Test
    void clientsAreToldAndTheShutdownEndsWhenTheyLeave() throws Exception {
        int port = start(60);
        try (LineClient a = LineClient.greeted(port); LineClient b = LineClient.greeted(port);
             LineClient c = LineClient.greeted(port)) {
            assertEquals("before\n", a.roundTrip("before\n"));
            cluster.stop();
            assertEquals(notice("60 s"), a.readLine());
            assertEquals(notice("60 s"), b.readLine());
            assertEquals(notice("60 s"), c.readLine());
            assertEquals("still echoing\r\n", b.roundTrip("still echoing\r\n"), "connections made stay served");
            // That round trip came after server.close() on the loop, whose selector has polled
            // since, so the listening socket is closed for good.
            assertTrue(refused(port), "no longer accepting");
            a.close();
            b.close();
            assertEquals("bye\r\n", c.roundTrip("quit\r\n"));
        }
        assertTrue(cluster.awaitTermination(BOUND), "ended when the last client left, long before 60 s");
        assertArrayEquals(new int[] {3, 0}, cluster.shutdownCounts(), "told 3, dropped none");
        assertEquals(List.of("echo: told 3 clients", "echo: all clients left"), log.lines());
    }

    @Test
    void aClientThatStaysIsDroppedAtTheDeadline() throws Exception {
        int port = start(0.5);
        try (LineClient leaves = LineClient.greeted(port); LineClient stays = LineClient.greeted(port)) {
            cluster.stop();
            assertEquals(notice("0.5 s"), leaves.readLine());
            leaves.close();
            assertEquals(notice("0.5 s"), stays.readLine());
            assertTrue(cluster.awaitTermination(BOUND));
            assertNull(stays.readLineOrNull(), "dropped: end of stream or reset");
        }
        assertArrayEquals(new int[] {2, 1}, cluster.shutdownCounts());
        assertEquals(List.of("echo: told 2 clients", "echo: closing 1 client still connected after 0.5 s"), log.lines());
    }

    @Test
    void hurryEndsTheGracePeriodAtOnce() throws Exception {
        int port = start(3600);
        try (LineClient a = LineClient.greeted(port)) {
            cluster.stop();
            assertEquals(notice("3600 s"), a.readLine());
            cluster.hurry();
            assertTrue(cluster.awaitTermination(BOUND), "not an hour");
            assertNull(a.readLineOrNull());
        }
        assertEquals(List.of("echo: told 1 client", "echo: closing 1 client still connected after a second signal"),
                log.lines());
    }

    @Test
    void hurryFirstSkipsTheWait() throws Exception {
        int port = start(3600);
        try (LineClient a = LineClient.greeted(port)) {
            cluster.hurry();
            assertEquals(notice("3600 s"), a.readLine(), "still told");
            assertTrue(cluster.awaitTermination(BOUND));
            assertNull(a.readLineOrNull());
        }
    }

    @Test
    void aClientThatNeverReadsCannotHoldTheShutdown() throws Exception {
        int port = start(0.3);
        try (LineClient hog = LineClient.greeted(port)) {
            // Fill every buffer between us and the server's handler, which then waits in drain().
            Thread writer = Thread.ofVirtual().start(() -> {
                byte[] line = ("h".repeat(4095) + "\n").getBytes(StandardCharsets.UTF_8);
                try {
                    for (int i = 0; i < 100_000; i++) {
                        hog.send(line);
                    }
                } catch (IOException dropped) {
                    // the server aborted us
                }
            });
            Thread.sleep(100);
            cluster.stop();
            assertTrue(cluster.awaitTermination(BOUND), "the notice is not drained, the handler is cancelled");
            writer.join(BOUND);
        }
        assertArrayEquals(new int[] {1, 1}, cluster.shutdownCounts());
    }

    @Test
    void stopWithNoClientsAndStopTwice() throws Exception {
        start(60);
        cluster.stop();
        cluster.stop();
        assertTrue(cluster.awaitTermination(BOUND));
        assertEquals(List.of("echo: told 0 clients", "echo: all clients left"), log.lines());
    }

    @Test
    void everyLoopIsToldAndEveryLoopsClientsAreTold() throws Exception {
        int port = start(60, 2);
        List<LineClient> clients = new ArrayList<>();
        try {
            // Enough connections that both loops have some (the kernel hashes each to a socket).
            while (clients.size() < 64 && cluster.acceptedPerLoop().stream().anyMatch(n -> n == 0)
                    || clients.size() < 8) {
                clients.add(LineClient.greeted(port));
            }
            assertTrue(cluster.acceptedPerLoop().stream().allMatch(n -> n > 0), cluster.acceptedPerLoop().toString());
            cluster.stop();
            for (LineClient c : clients) {
                assertEquals(notice("60 s"), c.readLine());
            }
        } finally {
            for (LineClient c : clients) {
                c.close();
            }
        }
        assertTrue(cluster.awaitTermination(BOUND));
        assertArrayEquals(new int[] {clients.size(), 0}, cluster.shutdownCounts());
        assertTrue(log.lines().containsAll(List.of("echo: loop 0: all clients left", "echo: loop 1: all clients left")),
                log.toString());
    }

    private static boolean refused(int port) {
        try (Socket s = new Socket("127.0.0.1", port)) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }
}
