package io.jasyncio.examples.echo;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code ./jasyncio echo} in a child JVM stopped by real SIGTERM and SIGINT, with plain blocking
 * sockets on 127.0.0.1 as its clients: the clients get the notice, the process exits with status 0.
 */
@Timeout(120)
class EchoSignalTest {
    private static final String NOTICE_60 = "server shutting down: please disconnect within 60 s\r\n";

    @Test
    void sigtermTellsTheClientsOfEveryLoopAndExits0WhenTheyLeave() throws Exception {
        try (EchoProcess echo = new EchoProcess(List.of(), "--port", "0", "--loops", "2", "--grace", "60")) {
            int port = echo.listeningPort();
            List<LineClient> clients = new ArrayList<>();
            boolean[] loopSeen = new boolean[2];
            try {
                // Until both loops have clients (the kernel hashes each connection to one socket).
                while (clients.size() < 8 || (clients.size() < 64 && !(loopSeen[0] && loopSeen[1]))) {
                    LineClient c = LineClient.connect(port);
                    clients.add(c);
                    String greeting = c.readLine();
                    for (int i = 0; i < 2; i++) {
                        loopSeen[i] |= greeting.contains("(loop " + i + " of 2)");
                    }
                    assertEquals("hi " + clients.size() + "\r\n", c.roundTrip("hi " + clients.size() + "\r\n"));
                }
                assertTrue(loopSeen[0] && loopSeen[1], "both loops took connections");

                echo.kill("TERM");
                echo.expect("echo: SIGTERM: stopping; clients get 60 s to leave*");
                for (LineClient c : clients) {
                    assertEquals(NOTICE_60, c.readLine(), "one signal reached every loop");
                }
                assertEquals("still served\n", clients.get(0).roundTrip("still served\n"));
            } finally {
                for (LineClient c : clients) {
                    c.close();
                }
            }
            assertEquals(0, echo.exit(), echo.seen + echo.stderrText());
            assertTrue(echo.seen.containsAll(List.of("echo: loop 0: all clients left", "echo: loop 1: all clients left")),
                    echo.seen.toString());
            String last = echo.seen.get(echo.seen.size() - 1);
            assertTrue(last.startsWith("echo: stopped after serving " + clients.size() + " connections ["), last);
        }
    }

    @Test
    void sigintDropsAClientThatStaysAtTheDeadlineAndExits0() throws Exception {
        try (EchoProcess echo = new EchoProcess(List.of(), "--port", "0", "--grace", "0.5")) {
            int port = echo.listeningPort();
            try (LineClient leaves = LineClient.greeted(port); LineClient stays = LineClient.greeted(port)) {
                echo.kill("INT");
                echo.expect("echo: SIGINT: stopping*");
                assertEquals("server shutting down: please disconnect within 0.5 s\r\n", leaves.readLine());
                leaves.close();
                assertEquals("server shutting down: please disconnect within 0.5 s\r\n", stays.readLine());
                echo.expect("echo: closing 1 client still connected after 0.5 s");
                assertNull(stays.readLineOrNull(), "dropped");
            }
            assertEquals(0, echo.exit(), echo.seen + echo.stderrText());
            assertEquals("echo: stopped after serving 2 connections", echo.seen.get(echo.seen.size() - 1));
        }
    }

    @Test
    void aSecondSignalClosesTheRemainingClientsAtOnce() throws Exception {
        try (EchoProcess echo = new EchoProcess(List.of(), "--port", "0", "--grace", "3600")) {
            int port = echo.listeningPort();
            try (LineClient a = LineClient.greeted(port)) {
                echo.kill("TERM");
                echo.expect("echo: told 1 client");
                echo.kill("INT");
                echo.expect("echo: SIGINT: closing the remaining clients now");
                echo.expect("echo: closing 1 client still connected after a second signal");
                assertEquals("server shutting down: please disconnect within 3600 s\r\n", a.readLine());
                assertNull(a.readLineOrNull());
            }
            assertEquals(0, echo.exit(), echo.seen + echo.stderrText());
        }
    }

    @Test
    void aPortInUseIsAClearErrorAndStatus1() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"));
             EchoProcess echo = new EchoProcess(List.of(), "--port", Integer.toString(taken.getLocalPort()))) {
            assertEquals(1, echo.exit(), echo.seen.toString());
            assertTrue(echo.stderrText().startsWith("echo: cannot listen on 127.0.0.1:" + taken.getLocalPort() + ": "),
                    echo.stderrText());
            assertEquals(List.of(), echo.seen);
        }
    }
}
