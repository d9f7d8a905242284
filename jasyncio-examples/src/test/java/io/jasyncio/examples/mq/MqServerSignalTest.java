package io.jasyncio.examples.mq;

import io.jasyncio.examples.Main;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.BufferedReader;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * {@code ./jasyncio mq server} in a child JVM, stopped by real signals as {@code docs/shutdown.md}
 * says: on SIGTERM it stops reading, sends each listener what is queued for it, closes, and exits
 * 0; a second signal cuts the grace period short. Clients are plain blocking sockets.
 */
@Timeout(value = 90, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class MqServerSignalTest {
    private static final long WAIT_SECONDS = 20;

    private Process server;
    private final LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final List<String> seen = new ArrayList<>();

    @AfterEach
    void killServer() {
        if (server != null) {
            server.destroyForcibly();
        }
    }

    /** Starts {@code Main mq server --port 0 ARGS}; returns the port it listens on. */
    private int start(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(defaultSignals());
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "mq", "server", "--port", "0"));
        cmd.addAll(List.of(args));
        server = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        Thread.ofVirtual().start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8))) {
                for (String l; (l = r.readLine()) != null; ) {
                    lines.add(l);
                }
            } catch (IOException ignored) {
                // the child is gone
            }
        });
        String l = expect("mq server: listening on 127.0.0.1:*");
        return Integer.parseInt(l.replaceAll(".*127\\.0\\.0\\.1:(\\d+) .*", "$1"));
    }

    /** Reads the child's lines until one matches {@code line}, where '*' stands for any text. */
    private String expect(String line) throws InterruptedException {
        StringBuilder re = new StringBuilder();
        for (String part : line.split("\\*", -1)) {
            re.append(re.isEmpty() ? "" : ".*").append(java.util.regex.Pattern.quote(part));
        }
        java.util.regex.Pattern want = java.util.regex.Pattern.compile(re.toString());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        for (;;) {
            String l = lines.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (l == null) {
                fail("no line '" + line + "' from the server; it said " + seen);
            }
            seen.add(l);
            if (want.matcher(l).matches()) {
                return l;
            }
        }
    }

    private int exit() throws InterruptedException {
        if (!server.waitFor(WAIT_SECONDS, TimeUnit.SECONDS)) {
            fail("the server did not exit; it said " + seen + lines);
        }
        return server.exitValue();
    }

    private void kill(String signal) throws Exception {
        Process k = new ProcessBuilder("kill", "-s", signal, Long.toString(server.pid())).inheritIO().start();
        assertTrue(k.waitFor(WAIT_SECONDS, TimeUnit.SECONDS) && k.exitValue() == 0, "kill -s " + signal);
    }

    /** GNU env's --default-signal undoes signals ignored by a background job's shell (see ChildJvm in core). */
    private static List<String> defaultSignals() {
        try {
            Process p = new ProcessBuilder("env", "--default-signal=INT,TERM", "true").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            if (p.waitFor(WAIT_SECONDS, TimeUnit.SECONDS) && p.exitValue() == 0) {
                return List.of("env", "--default-signal=INT,TERM");
            }
        } catch (IOException | InterruptedException e) {
            // no GNU env
        }
        assumeFalse(signalsIgnored(), "SIGINT or SIGTERM is ignored here and env --default-signal is missing");
        return List.of();
    }

    private static boolean signalsIgnored() {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (l.startsWith("SigIgn:")) {
                    long mask = Long.parseUnsignedLong(l.substring(7).trim(), 16);
                    return (mask & ((1L << 1) | (1L << 14))) != 0;           // INT (2), TERM (15)
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return false;
    }

    /** A blocking client: subscribes on connect. */
    private static final class Client implements AutoCloseable {
        final Socket socket;
        final DataInputStream in;
        final DataOutputStream out;

        Client(int port, String listenTo) throws IOException {
            socket = new Socket("127.0.0.1", port);
            socket.setSoTimeout((int) TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
            in = new DataInputStream(socket.getInputStream());
            out = new DataOutputStream(socket.getOutputStream());
            frame(listenTo.getBytes(StandardCharsets.UTF_8));
        }

        void frame(byte[] b) throws IOException {
            out.writeInt(b.length);
            out.write(b);
            out.flush();
        }

        void publish(String channel, byte[] payload) throws IOException {
            frame(channel.getBytes(StandardCharsets.UTF_8));
            frame(payload);
        }

        /** The next message, or null at EOF (or a reset). */
        byte[] receive() {
            try {
                byte[] b = new byte[in.readInt()];
                in.readFully(b);
                return b;
            } catch (EOFException eof) {
                return null;
            } catch (IOException reset) {
                return null;
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    @Test
    void sigtermSendsWhatIsQueuedThenStopsWithStatusZero() throws Exception {
        int port = start("--grace", "30");
        try (Client listener = new Client(port, "/topic/t"); Client sender = new Client(port, Broker.SINK)) {
            expect("mq server: #1 127.0.0.1:*: listens to /topic/t");
            expect("mq server: #2 127.0.0.1:*: a sender (listens to /null)");
            for (int i = 0; i < 3; i++) {
                sender.publish("/topic/t", ("m" + i).getBytes(StandardCharsets.UTF_8));
            }
            assertEquals("m0", new String(listener.receive(), StandardCharsets.UTF_8));
            kill("TERM");
            expect("mq server: SIGTERM: shutting down");
            assertEquals("m1", new String(listener.receive(), StandardCharsets.UTF_8));
            assertEquals("m2", new String(listener.receive(), StandardCharsets.UTF_8));
            assertEquals(null, listener.receive(), "then the broker closes the connection");
            expect("mq server: stopped: 2 connections (0 open, 0 listening); 3 messages published, 3 queued for listeners, 3 delivered,*");
        }
        assertEquals(0, exit(), seen.toString());
    }

    @Test
    void aSecondSignalDropsAListenerThatDoesNotRead() throws Exception {
        int port = start("--grace", "3600", "--queue-size", "4");
        try (Client stuck = new Client(port, "/queue/w")) {
            expect("mq server: #1 127.0.0.1:*: listens to /queue/w (a queue: one listener per message)");
            Thread pusher = Thread.ofPlatform().start(() -> {
                try (Client sender = new Client(port, Broker.SINK)) {
                    for (int i = 0; i < 2000; i++) {
                        sender.publish("/queue/w", new byte[16 * 1024]);    // far more than the socket buffers hold
                    }
                } catch (IOException cutOff) {
                    // the shutdown closes it
                }
            });
            Thread.sleep(500);                                  // the pusher fills the buffers and waits
            kill("INT");
            expect("mq server: SIGINT: shutting down");
            expect("mq server: shutting down: *");
            kill("INT");
            expect("mq server: SIGINT again: closing the connections now");
            expect("mq server: grace period over: aborting 1 connection still sending");
            expect("mq server: stopped: *");
            pusher.join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
        }
        assertEquals(0, exit(), seen.toString());
    }
}
