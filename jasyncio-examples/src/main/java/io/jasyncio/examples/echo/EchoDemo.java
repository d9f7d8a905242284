package io.jasyncio.examples.echo;

import io.jasyncio.Asyncio;
import io.jasyncio.streams.StreamConnection;
import io.jasyncio.streams.Streams;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * {@code ./jasyncio echo --demo}: the server on its own loops, three clients on another loop in
 * the same process, a scripted exchange printed as it happens ({@code >} sent, {@code <}
 * received, line endings shown), then the stop a signal would ask for, with the clients told and
 * leaving. Every reply is checked; the exit status says whether all were as expected.
 */
final class EchoDemo {
    private EchoDemo() {
    }

    /** A scripted exchange went differently. */
    static final class Unexpected extends Exception {
        Unexpected(String message) {
            super(message);
        }
    }

    static int run(EchoConfig config, PrintWriter out, PrintWriter err) {
        EchoCluster cluster;
        try {
            cluster = EchoCluster.start(config, out, false);
        } catch (IOException | RuntimeException e) {
            err.println("echo: cannot listen on " + config.host() + ":" + config.port() + ": "
                    + (e.getMessage() != null ? e.getMessage() : e.toString()));
            err.flush();
            return 1;
        }
        say(out, "echo: listening on " + config.host() + ":" + cluster.port() + Echo.describe(config));
        say(out, "demo: three clients on another loop of this process: alice, bob and carol");
        try {
            Asyncio.run(() -> Asyncio.timeout(30).run(() -> script(config, cluster, out)));
        } catch (Exception e) {
            err.println("demo: " + (e instanceof Unexpected ? "" : e.getClass().getSimpleName() + ": ") + e.getMessage());
            err.flush();
            cluster.close();
            return 1;
        }
        try {
            if (!cluster.awaitTermination(Duration.ofSeconds(30))) {
                err.println("demo: the server did not stop");
                err.flush();
                return 1;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
        return Echo.summary(cluster, out, err);
    }

    private static void script(EchoConfig config, EchoCluster cluster, PrintWriter out) throws Exception {
        try (Client alice = Client.connect("alice", config, cluster.port(), out);
             Client bob = Client.connect("bob", config, cluster.port(), out);
             Client carol = Client.connect("carol", config, cluster.port(), out)) {
            if (config.greeting()) {
                alice.expectStart("welcome to jasyncio echo");
                bob.expectStart("welcome to jasyncio echo");
                carol.expectStart("welcome to jasyncio echo");
            }
            alice.send("hello, echo\n");
            alice.expect("hello, echo\n");
            bob.send("a line ending in CRLF, as telnet sends it\r\n");
            bob.expect("a line ending in CRLF, as telnet sends it\r\n");

            byte[] huge = new byte[config.maxLine() + 1000];
            java.util.Arrays.fill(huge, (byte) 'x');
            huge[huge.length - 1] = '\n';
            carol.sendQuietly(huge, "(a line of " + (huge.length - 1) + " bytes)");
            carol.expect("error: line longer than " + config.maxLine() + " bytes, discarded\r\n");
            carol.send("still connected\n");
            carol.expect("still connected\n");

            // Two clients at once: each gets its own lines back.
            alice.send("alice's line\n");
            bob.send("bob's line\n");
            bob.expect("bob's line\n");
            alice.expect("alice's line\n");

            bob.send("quit\r\n");
            bob.expect("bye\r\n");
            bob.expectEnd();

            say(out, "demo: asking the server to stop, as SIGINT or SIGTERM would");
            cluster.stop();
            String notice = "server shutting down: please disconnect within " + config.graceText() + "\r\n";
            alice.expect(notice);
            carol.expect(notice);
            alice.send("one more line before I go\n");
            alice.expect("one more line before I go\n");
            say(out, "demo: alice and carol leave");
        }
    }

    private static void say(PrintWriter out, String line) {
        synchronized (out) {
            out.println(line);
            out.flush();
        }
    }

    /** A demo client: a stream connection that prints what it sends and receives. */
    private record Client(String name, StreamConnection c, PrintWriter out) implements AutoCloseable {
        static Client connect(String name, EchoConfig config, int port, PrintWriter out) throws IOException {
            return new Client(name, Streams.openConnection(config.host(), port), out);
        }

        void send(String line) throws IOException {
            show(">", quote(line));
            c.writer().write(line.getBytes(StandardCharsets.UTF_8));
            c.writer().drain();
        }

        void sendQuietly(byte[] data, String what) throws IOException {
            show(">", what);
            c.writer().write(data);
            c.writer().drain();
        }

        String receive() throws IOException {
            String line = new String(c.reader().readline(), StandardCharsets.UTF_8);
            show("<", line.isEmpty() ? "(end of stream)" : quote(line));
            return line;
        }

        void expect(String line) throws IOException, Unexpected {
            String got = receive();
            if (!got.equals(line)) {
                throw new Unexpected(name + " expected " + quote(line) + " but got " + quote(got));
            }
        }

        void expectStart(String prefix) throws IOException, Unexpected {
            String got = receive();
            if (!got.startsWith(prefix)) {
                throw new Unexpected(name + " expected a line starting " + quote(prefix) + " but got " + quote(got));
            }
        }

        void expectEnd() throws IOException, Unexpected {
            expect("");
        }

        private void show(String dir, String what) {
            say(out, String.format("%-6s%s %s", name, dir, what));
        }

        @Override
        public void close() {
            c.writer().close();
            try {
                c.writer().waitClosed();
            } catch (IOException ignored) {
                // bob's connection was closed by the server: nothing more to wait for
            }
        }
    }

    static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\r", "\\r").replace("\n", "\\n") + "\"";
    }
}
