package io.jasyncio.guide;

import io.jasyncio.ChildJvm;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The recipe of docs/shutdown.md against real signals and real clients: {@link GracefulServer} in
 * a child JVM, plain blocking sockets on 127.0.0.1 as clients.
 */
@Timeout(90)
class GracefulServerTest {
    private ChildJvm server;

    @AfterEach
    void killServer() {
        if (server != null) {
            server.process.destroyForcibly();
        }
    }

    private int start(double grace) throws Exception {
        server = new ChildJvm(GracefulServer.class, List.of(), "0", Double.toString(grace));
        String l = server.expect("listening on *");
        return Integer.parseInt(l.substring("listening on ".length()));
    }

    /** A connected client that has seen its first line echoed (so the server counts it). */
    private static Client connect(int port) throws IOException {
        Client c = new Client(new Socket("127.0.0.1", port));
        c.out.write("hello\r\n".getBytes(StandardCharsets.UTF_8));
        assertEquals("hello", c.in.readLine());
        return c;
    }

    private record Client(Socket socket, BufferedReader in, OutputStream out) implements AutoCloseable {
        Client(Socket s) throws IOException {
            this(s, new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8)), s.getOutputStream());
            s.setSoTimeout((int) (ChildJvm.WAIT_SECONDS * 1000));
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    @Test
    void clientsThatLeaveInTimeEndTheShutdownEarly() throws Exception {
        int port = start(60);
        try (Client a = connect(port); Client b = connect(port)) {
            server.kill("TERM");
            server.expect("stopping: SIGTERM");
            server.expect("told 2 clients");
            assertTrue(a.in.readLine().startsWith("server shutting down"));
            assertTrue(b.in.readLine().startsWith("server shutting down"));
            b.out.write("still echoing\r\n".getBytes(StandardCharsets.UTF_8));
            assertEquals("still echoing", b.in.readLine(), "connections made stay served");
            // After that round trip the loop has polled its selector since server.close(), so NIO's
            // deferred close of the listening channel has happened.
            assertTrue(refused(port), "no longer accepting");
            a.socket.close();
            b.socket.close();
            server.expect("all clients left");       // long before the 60 s grace
            server.expect("stopped");
        }
        assertEquals(0, server.exit(), server.seen.toString());
    }

    @Test
    void aClientThatStaysIsDroppedAtTheDeadline() throws Exception {
        int port = start(0.5);
        try (Client a = connect(port); Client b = connect(port)) {
            server.kill("INT");
            server.expect("stopping: SIGINT");
            assertTrue(a.in.readLine().startsWith("server shutting down"));
            a.socket.close();
            assertTrue(b.in.readLine().startsWith("server shutting down"));
            server.expect("aborting 1 clients");
            server.expect("stopped");
            assertNull(readOrReset(b), "b was dropped");
        }
        assertEquals(0, server.exit(), server.seen.toString());
    }

    @Test
    void aSecondSignalCutsTheWaitShort() throws Exception {
        int port = start(3600);
        try (Client a = connect(port)) {
            server.kill("TERM");
            server.expect("told 1 clients");
            server.kill("INT");
            server.expect("hurrying: SIGINT");
            server.expect("aborting 1 clients");
            server.expect("stopped");
            assertTrue(a.in.readLine().startsWith("server shutting down"));
            assertNull(readOrReset(a));
        }
        assertEquals(0, server.exit(), server.seen.toString());
    }

    /** The next line, or null at EOF or on a reset (an abort may show as either). */
    private static String readOrReset(Client c) {
        try {
            return c.in.readLine();
        } catch (IOException reset) {
            return null;
        }
    }

    private static boolean refused(int port) {
        try (Socket s = new Socket("127.0.0.1", port)) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }
}
