package io.jasyncio.examples.mq;

import io.jasyncio.Asyncio;
import io.jasyncio.CheckedRunnable;
import io.jasyncio.KeyboardInterruptException;
import io.jasyncio.TaskGroup;
import io.jasyncio.net.Server;
import io.jasyncio.streams.StreamConnection;
import io.jasyncio.streams.Streams;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code ./jasyncio mq}: the message broker of the streams case study ({@link Broker}), with
 * {@code server}, {@code send} and {@code listen}. With no subcommand it runs an offline demo: a
 * broker on a free port of 127.0.0.1, two listeners of a broadcast channel, two of a
 * {@code /queue} channel, a sender, a client that sends garbage, and a table of who got what.
 */
@Command(name = "mq", mixinStandardHelpOptions = true, sortOptions = false,
        subcommands = {ServerCommand.class, SendCommand.class, ListenCommand.class},
        description = {"The message broker of the streams case study: 4-byte big-endian length-prefixed frames; a"
                + " client's first frame names the channel it listens to; then each message is a channel frame and a"
                + " payload frame. Channels beginning /queue give each message to one listener in turn, the others to"
                + " every listener. Each listener has a bounded send queue, so a slow one stalls nobody.",
                "With no subcommand, runs an offline demo on 127.0.0.1 (a broker, four listeners, a sender, a client"
                + " sending garbage) and prints who got what.",
                ""},
        footerHeading = "%nExamples:%n",
        footer = {"  ./jasyncio mq",
                "  ./jasyncio mq server --port 25000 &",
                "  ./jasyncio mq listen /topic/news &",
                "  ./jasyncio mq listen /queue/jobs --count 2 &",
                "  ./jasyncio mq send /topic/news 'hello, all'",
                "  ./jasyncio mq send /queue/jobs job1 job2",
                "See docs/mq.md for the protocol and the slow-listener policy."})
public final class Mq implements Callable<Integer> {
    /** The books' port. */
    public static final int DEFAULT_PORT = 25000;

    @Spec
    CommandSpec spec;

    /** Runs {@code main} on a new loop; declares the {@link IOException} its body may throw. */
    static <T> T run(Callable<? extends T> main) throws IOException {
        return Asyncio.run(main);
    }

    /** Runs {@code main} on a new loop; declares the {@link IOException} its body may throw. */
    static void run(CheckedRunnable main) throws IOException {
        Asyncio.run(main);
    }

    /** The offline demo. */
    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try {
            run(() -> demo(out, err));
        } catch (KeyboardInterruptException e) {
            return e.exitStatus();
        } catch (IOException e) {
            err.println("mq: the demo failed: " + e);
            err.flush();
            return 1;
        }
        return 0;
    }

    /** Who listens where in the demo, and how many messages each expects. */
    private record Role(String name, String channel, int expect) {
    }

    private static void demo(PrintWriter out, PrintWriter err) throws IOException {
        Broker broker = new Broker(Broker.Config.DEFAULTS, line -> {
            err.println("  [broker] " + line);
            err.flush();
        });
        Server server = broker.start("127.0.0.1", 0);
        int port = server.port();
        say(out, "mq: no subcommand given (see ./jasyncio mq --help): a demo, offline, with a broker on 127.0.0.1:" + port);
        List<Role> roles = List.of(new Role("alice", "/topic/news", 2), new Role("bob", "/topic/news", 2),
                new Role("carol", "/queue/jobs", 2), new Role("dave", "/queue/jobs", 2));
        say(out, "listeners: alice and bob on /topic/news (every message to each), carol and dave on /queue/jobs"
                + " (each message to one of them, in turn)");
        Map<String, List<String>> got = new LinkedHashMap<>();
        try {
            TaskGroup.run(g -> {
                int[] subscribed = new int[2];
                for (Role r : roles) {
                    MqClient c = MqClient.connect("127.0.0.1", port, r.channel());
                    List<String> mine = new ArrayList<>();
                    got.put(r.name(), mine);
                    // Subscribe one at a time, so that the round robin's order is the order above.
                    broker.awaitListeners(r.channel(), ++subscribed[r.channel().startsWith("/queue") ? 1 : 0]);
                    g.createTask("listener " + r.name(), () -> {
                        try (c) {
                            while (mine.size() < r.expect()) {
                                byte[] m = c.receive();
                                if (m == null) {
                                    break;
                                }
                                mine.add(new String(m, StandardCharsets.UTF_8));
                            }
                        }
                    });
                }
                g.createTask("sender", () -> {
                    try (MqClient s = MqClient.connect("127.0.0.1", port, Broker.SINK)) {
                        List<String[]> plan = List.of(new String[] {"/topic/news", "headline 1"},
                                new String[] {"/queue/jobs", "job 1"}, new String[] {"/queue/jobs", "job 2"},
                                new String[] {"/topic/news", "headline 2"}, new String[] {"/queue/jobs", "job 3"},
                                new String[] {"/queue/jobs", "job 4"}, new String[] {"/topic/nobody", "lost in space"});
                        for (String[] m : plan) {
                            say(out, String.format(Locale.ROOT, "sender -> %-13s %s", m[0], quote(m[1])));
                            s.publish(m[0], m[1]);
                        }
                        s.finish();
                    }
                });
                g.createTask("garbage", () -> {
                    try (StreamConnection c = Streams.openConnection("127.0.0.1", port)) {
                        say(out, "a client sends a length prefix of 2,147,483,648 bytes (80 00 00 00): the broker refuses"
                                + " it without allocating anything and closes the connection");
                        c.writer().write(new byte[] {(byte) 0x80, 0, 0, 0});
                        c.writer().drain();
                        c.reader().read(-1);               // until the broker closes
                    } catch (IOException closedHard) {
                        // a reset is a close too
                    }
                });
            });
        } finally {
            say(out, "who got what:");
            for (Role r : roles) {
                List<String> mine = got.getOrDefault(r.name(), List.of());
                StringBuilder sb = new StringBuilder();
                for (String m : mine) {
                    sb.append(sb.isEmpty() ? "" : ", ").append(quote(m));
                }
                say(out, String.format(Locale.ROOT, "  %-6s %-12s %s", r.name(), r.channel(), sb));
            }
            broker.shutdown(1.0);
            say(out, "broker: " + broker.stats());
        }
    }

    private static String quote(String s) {
        return "\"" + s + "\"";
    }

    private static void say(PrintWriter out, String line) {
        out.println(line);
        out.flush();
    }
}
