package io.jasyncio.examples.mq;

import io.jasyncio.Asyncio;
import io.jasyncio.EventLoop;
import io.jasyncio.examples.Main;
import io.jasyncio.sync.Event;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code ./jasyncio mq} as a user runs it: the offline demo, {@code mq send} and {@code mq listen}
 * against a broker running on a loop of its own thread, and bad usage.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class MqCommandTest {
    /** What one run printed, and its exit status. */
    record Run(int status, String out, String err) {
        List<String> lines() {
            return out.isEmpty() ? List.of() : List.of(out.split("\n"));
        }
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(new Main());
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        List<String> all = new ArrayList<>(List.of("mq"));
        all.addAll(List.of(args));
        int status = cl.execute(all.toArray(String[]::new));
        return new Run(status, out.toString().replace("\r\n", "\n"), err.toString().replace("\r\n", "\n"));
    }

    /** A broker on a loop of its own thread, as another process would be. */
    static final class BackgroundBroker implements AutoCloseable {
        final List<String> log = Collections.synchronizedList(new ArrayList<>());
        final int port;
        private final Thread thread;
        private EventLoop loop;
        private Event stop;
        private Broker broker;

        BackgroundBroker() throws Exception {
            CompletableFuture<Integer> ready = new CompletableFuture<>();
            thread = Thread.ofPlatform().name("background broker").start(() -> {
                try {
                    Asyncio.run(() -> {
                        loop = Asyncio.getRunningLoop();
                        stop = new Event();
                        broker = new Broker(Broker.Config.DEFAULTS, log::add);
                        ready.complete(broker.start("127.0.0.1", 0).port());
                        stop.await();
                        broker.shutdown(1);
                    });
                } catch (Throwable t) {
                    ready.completeExceptionally(t);
                }
            });
            port = ready.get(20, TimeUnit.SECONDS);
        }

        /** Waits, on the broker's loop, until {@code n} listen on the channel; the test's timeout bounds it. */
        void awaitListeners(String channel, int n) throws Exception {
            Asyncio.runCoroutineThreadsafe(() -> {
                while (broker.listenerCount(channel) < n) {
                    Asyncio.sleep(0.005);
                }
                return null;
            }, loop).get();
        }

        @Override
        public void close() throws Exception {
            loop.callSoonThreadsafe(stop::set);
            thread.join(TimeUnit.SECONDS.toMillis(20));
        }
    }

    @Test
    void withNoSubcommandTheDemoRunsOfflineAndShowsWhoGotWhat() {
        Run r = run();
        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(r.out().startsWith("mq: no subcommand given (see ./jasyncio mq --help): a demo, offline, with a broker on 127.0.0.1:"),
                r.out());
        List<String> table = r.lines().subList(r.lines().indexOf("who got what:") + 1, r.lines().indexOf("who got what:") + 5);
        assertEquals(List.of(
                "  alice  /topic/news  \"headline 1\", \"headline 2\"",
                "  bob    /topic/news  \"headline 1\", \"headline 2\"",
                "  carol  /queue/jobs  \"job 1\", \"job 3\"",
                "  dave   /queue/jobs  \"job 2\", \"job 4\""), table, r.out());
        assertTrue(r.out().contains("broker: 6 connections (0 open, 0 listening); 7 messages published, 8 queued for listeners, 8 delivered, 1 unrouted,"),
                r.out());
        assertTrue(r.out().contains("1 refused, 0 truncated"), r.out());
        assertTrue(r.err().contains("[broker] #6 127.0.0.1:") && r.err().contains("frame of 2,147,483,648 bytes refused"), r.err());
    }

    @Test
    void sendAndListenTalkThroughABroker() throws Exception {
        try (BackgroundBroker b = new BackgroundBroker()) {
            String port = Integer.toString(b.port);
            FutureTask<Run> listen = new FutureTask<>(() -> run("listen", "/topic/cli", "--count", "3", "--port", port));
            Thread.ofPlatform().start(listen);
            b.awaitListeners("/topic/cli", 1);
            Run sent = run("send", "/topic/cli", "one", "two words", "ünï ☕", "--port", port);
            assertEquals(0, sent.status(), sent.err());
            assertEquals("mq send: 3 messages sent to /topic/cli\n", sent.err());
            Run heard = listen.get(20, TimeUnit.SECONDS);
            assertEquals(0, heard.status(), heard.err());
            assertEquals(List.of("one", "two words", "ünï ☕"), heard.lines());
            assertEquals("mq listen: listening to /topic/cli on 127.0.0.1:" + port + "\n", heard.err());
        }
    }

    @Test
    void listenEndsWhenTheBrokerShutsDown() throws Exception {
        FutureTask<Run> listen;
        try (BackgroundBroker b = new BackgroundBroker()) {
            String port = Integer.toString(b.port);
            listen = new FutureTask<>(() -> run("listen", "/topic/x", "--count", "5", "--port", port));
            Thread.ofPlatform().start(listen);
            b.awaitListeners("/topic/x", 1);
            assertEquals(0, run("send", "/topic/x", "only one", "--port", port).status());
        }
        Run heard = listen.get(20, TimeUnit.SECONDS);
        assertEquals(1, heard.status(), heard.err());
        assertEquals(List.of("only one"), heard.lines());
        assertTrue(heard.err().endsWith("mq listen: the broker closed the connection after 1 message\n"), heard.err());
    }

    @Test
    void sendToAPortWhereNothingListensFails() throws Exception {
        int port;
        try (ServerSocketChannel s = ServerSocketChannel.open()) {
            s.bind(new InetSocketAddress("127.0.0.1", 0));
            port = ((InetSocketAddress) s.getLocalAddress()).getPort();
        }
        Run r = run("send", "/t", "x", "--port", Integer.toString(port));
        assertEquals(1, r.status(), r.err());
        assertTrue(r.err().startsWith("mq send: 127.0.0.1:" + port + ": "), r.err());
        Run l = run("listen", "/t", "--port", Integer.toString(port));
        assertEquals(1, l.status(), l.err());
    }

    @Test
    void badUsageExitsTwo() {
        Run empty = run("send", "", "x");
        assertEquals(2, empty.status());
        assertEquals("mq send: a channel name must not be empty\n", empty.err());
        assertEquals(2, run("send", "/t").status(), "a message is required");
        assertEquals(2, run("listen", "/" + "x".repeat(2000)).status());
        Run slow = run("server", "--slow", "sometimes");
        assertEquals(2, slow.status());
        assertTrue(slow.err().contains("unknown slow-listener policy 'sometimes'"), slow.err());
        assertEquals(2, run("server", "--queue-size", "0").status());
        assertEquals(2, run("server", "--max-frame", "0").status());
        assertEquals(2, run("server", "--grace", "-1").status());
        Run bad = run("server", "--subscribe-timeout", "-1");
        assertEquals(2, bad.status());
        assertEquals("mq server: --subscribe-timeout must be a number of seconds, 0 (none) or more: -1.0\n", bad.err());
        assertEquals(2, run("server", "--idle-timeout", "NaN").status());
    }

    @Test
    void listenRefusesACountOfZeroAndChannelsThatAreNotValidNames() {
        Run zero = run("listen", "/topic/t", "--count", "0");
        assertEquals(2, zero.status(), zero.err());
        assertEquals("mq listen: --count must be at least 1 (leave it out to listen until the broker closes the"
                + " connection): 0\n", zero.err());
        Run negative = run("listen", "/topic/t", "-n", "-3");
        assertEquals(2, negative.status(), negative.err());
        Run empty = run("listen", "");
        assertEquals(2, empty.status(), empty.err());
        assertEquals("mq listen: a channel name must not be empty\n", empty.err());
        Run tooLong = run("listen", "/" + "x".repeat(1024));
        assertEquals(2, tooLong.status(), tooLong.err());
        assertEquals("mq listen: a channel name has at most 1024 bytes of UTF-8, not 1025\n", tooLong.err());
        Run sink = run("listen", Broker.SINK);
        assertEquals(2, sink.status(), sink.err());
        assertTrue(sink.err().startsWith("mq listen: /null is the sink: the broker never delivers on it"), sink.err());
    }

    @Test
    void helpDescribesTheProtocolAndTheSubcommands() {
        StringWriter out = new StringWriter();
        CommandLine cl = new CommandLine(new Main());
        cl.setOut(new PrintWriter(out, true));
        assertEquals(0, cl.execute("mq", "--help"));
        String help = out.toString();
        assertTrue(help.contains("4-byte big-endian") && help.contains("server") && help.contains("send")
                && help.contains("listen") && help.contains("offline demo"), help);
    }
}
