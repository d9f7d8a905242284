package io.jasyncio.examples.echo;

import io.jasyncio.Asyncio;
import io.jasyncio.EventLoop;
import io.jasyncio.Task;
import io.jasyncio.Timeout;
import io.jasyncio.net.ServerOptions;
import io.jasyncio.net.Server;
import io.jasyncio.streams.IncompleteReadException;
import io.jasyncio.streams.LimitOverrunException;
import io.jasyncio.streams.StreamReader;
import io.jasyncio.streams.StreamWriter;
import io.jasyncio.streams.Streams;
import io.jasyncio.sync.Event;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * One loop's echo server: a stream server whose handler echoes each line, and the graceful
 * shutdown of {@code docs/shutdown.md} (steps 2 to 5) for that loop. Everything but the
 * counters and {@link #request} runs on the loop, so the set of connections needs no lock.
 *
 * <h2>The line protocol</h2>
 * <ul>
 * <li>A line is everything up to and including {@code '\n'}; it is echoed byte for byte, so a
 *     telnet user's {@code "text\r\n"} comes back as {@code "text\r\n"} and a {@code "text\n"}
 *     as {@code "text\n"}. What arrives after the last newline when the client half-closes is
 *     echoed as it is.</li>
 * <li>A line longer than {@code maxLine} bytes (not counting its {@code '\n'}) is not echoed: the
 *     client gets {@code "error: line longer than N bytes, discarded\r\n"} as soon as the limit is
 *     passed, the rest of that line is skipped up to its newline, however long it turns out to be,
 *     and the connection stays usable. The reader never holds more than about twice the limit
 *     (its buffer bound), whatever the client sends.</li>
 * <li>{@code quit} (any case, alone on a line) answers {@code bye} and closes the connection,
 *     for telnet users who would rather not look for the escape key.</li>
 * </ul>
 */
final class EchoServer {
    static final byte[] NEWLINE = {'\n'};

    final int index;
    private final EchoConfig config;
    private final int loopCount;
    private final Consumer<String> log;
    private final byte[] greeting;
    private final byte[] tooLong;

    /** Set once the loop runs; read by other threads in {@link #request}. */
    private volatile EventLoop loop;
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicInteger open = new AtomicInteger();

    // Loop-only state.
    private final Set<Connection> connections = new LinkedHashSet<>();
    private Event stop;
    private Event hurry;
    private Server server;

    private record Connection(StreamWriter writer, Task<?> task) {
    }

    /** What one loop's shutdown found. */
    record Shutdown(int told, int dropped) {
    }

    EchoServer(int index, int loopCount, EchoConfig config, Consumer<String> log) {
        this.index = index;
        this.loopCount = loopCount;
        this.config = config;
        this.log = log;
        this.greeting = ("welcome to jasyncio echo" + (loopCount > 1 ? " (loop " + index + " of " + loopCount + ")" : "")
                + ": type a line and get it back; lines up to " + config.maxLine() + " bytes; quit to leave\r\n")
                .getBytes(StandardCharsets.UTF_8);
        this.tooLong = ("error: line longer than " + config.maxLine() + " bytes, discarded\r\n").getBytes(StandardCharsets.UTF_8);
    }

    /** Connections accepted so far (any thread). */
    long accepted() {
        return accepted.get();
    }

    /** Connections open now (any thread). */
    int open() {
        return open.get();
    }

    /**
     * Listens on {@code port} with SO_REUSEPORT if {@code reusePort}; call as a task of the
     * server's loop. Returns the port, and from then on {@link #request} may be called.
     */
    int listen(int port, boolean reusePort) throws IOException {
        stop = new Event();
        hurry = new Event();
        ServerOptions options = ServerOptions.builder()
                .backlog(config.backlog())
                .reusePort(reusePort)
                .ssl(config.ssl())
                .build();
        // The reader's limit is the line limit: readUntil refuses a longer line, and the reader
        // stops reading from the socket once it holds twice that much.
        server = Streams.startServer(this::handle, config.host(), port, options, config.maxLine());
        loop = Asyncio.getRunningLoop();
        return server.port();
    }

    /**
     * Asks the loop to stop (level 1: steps 2 to 5 of the recipe) or to stop now (level 2: the
     * grace period ends at once, as on a second signal). Safe from any thread, once
     * {@link #listen} returned; does nothing once the loop is closed.
     */
    void request(int level) {
        EventLoop l = loop;
        if (l == null) {
            return;
        }
        try {
            l.callSoonThreadsafe(() -> {
                stop.set();
                if (level >= 2) {
                    hurry.set();
                }
            });
        } catch (RuntimeException closed) {
            // The loop has finished: nothing left to stop.
        }
    }

    /** Serves until {@link #request} asks to stop, then shuts down gracefully. Call as a task. */
    Shutdown serveUntilStopped() {
        stop.await();
        return shutdown();
    }

    /** Steps 2 to 5 of docs/shutdown.md, for this loop's server. */
    private Shutdown shutdown() {
        // 2. Stop accepting. Connections already made stay open and served.
        server.close();

        // 3. Tell the clients. No drain: the notice is small, and a client that never reads must
        //    not hold the shutdown here; its bytes go out as the client reads, or not at all.
        byte[] notice = ("server shutting down: please disconnect within " + config.graceText() + "\r\n")
                .getBytes(StandardCharsets.UTF_8);
        int told = 0;
        for (Connection c : connections) {
            if (!c.writer().isClosing()) {
                c.writer().write(notice);
                told++;
            }
        }
        log.accept(prefix() + "told " + told + " client" + (told == 1 ? "" : "s"));

        // 4. Wait for them to leave, up to the deadline; a second request moves it to now.
        Timeout deadline = Asyncio.moveOnAfter(hurry.isSet() ? 0 : config.grace());
        // The watcher starts inside the scope: only an entered scope can be rescheduled.
        deadline.run(() -> {
            Task<Void> watcher = Asyncio.createTask("echo hurry", () -> {
                hurry.await();
                if (!deadline.expired()) {
                    deadline.reschedule(loop.time());
                }
            });
            try {
                server.waitClosed();
            } finally {
                watcher.cancel();
            }
        });

        // 5. Drop whoever is left: abort their connections and cancel their handlers, then wait
        //    until every handler has finished and every connection is gone.
        List<Connection> left = new ArrayList<>(connections);
        if (left.isEmpty()) {
            log.accept(prefix() + "all clients left");
        } else {
            log.accept(prefix() + "closing " + left.size() + " client" + (left.size() == 1 ? "" : "s")
                    + " still connected after " + (hurry.isSet() ? "a second signal" : config.graceText()));
            server.abortClients();
            List<Task<?>> tasks = new ArrayList<>();
            for (Connection c : left) {
                c.task().cancel("echo server shutting down");
                tasks.add(c.task());
            }
            Asyncio.wait(tasks);
        }
        server.waitClosed();
        return new Shutdown(told, left.size());
    }

    private String prefix() {
        return loopCount > 1 ? "loop " + index + ": " : "";
    }

    /** Serves one connection: a task per connection, run by the stream server. */
    private void handle(StreamReader reader, StreamWriter writer) {
        Connection me = new Connection(writer, Asyncio.currentTask());
        connections.add(me);
        accepted.incrementAndGet();
        open.incrementAndGet();
        Object peer = writer.getExtraInfo(io.jasyncio.net.ExtraInfo.PEERNAME);
        if (config.verbose()) {
            log.accept(prefix() + "connected: " + peer);
        }
        String how = "left";
        try {
            if (config.greeting()) {
                writer.write(greeting);
            }
            for (;;) {
                byte[] line;
                try {
                    line = reader.readUntil(NEWLINE);
                } catch (IncompleteReadException eof) {
                    // The client half-closed (or closed): echo what came after its last newline.
                    if (eof.partial().length > 0) {
                        writer.write(eof.partial());
                    }
                    break;
                } catch (LimitOverrunException overrun) {
                    writer.write(tooLong);
                    discardRestOfLine(reader, overrun.consumed());
                    writer.drain();
                    continue;
                }
                if (isQuit(line)) {
                    writer.write("bye\r\n".getBytes(StandardCharsets.UTF_8));
                    how = "quit";
                    break;
                }
                writer.write(line);
                writer.drain();      // a client that does not read stops us reading from it
            }
        } catch (IOException e) {
            // Reset by the client, or aborted at the end of the grace period: nothing to answer.
            how = "lost (" + e.getMessage() + ")";
        } finally {
            connections.remove(me);
            open.decrementAndGet();
            writer.close();
            if (config.verbose()) {
                log.accept(prefix() + how + ": " + peer);
            }
        }
    }

    /**
     * Skips an over-long line: the {@code buffered} bytes a refused {@code readUntil} left in the
     * reader, then whatever follows up to and including the next newline, in pieces no larger
     * than the limit, so the reader's buffer stays bounded however long the line is.
     */
    static void discardRestOfLine(StreamReader reader, int buffered) throws IOException {
        reader.readExactly(buffered);                     // already buffered: returns at once
        for (;;) {
            try {
                reader.readUntil(NEWLINE);                    // the tail of the line, dropped
                return;
            } catch (LimitOverrunException stillNoNewline) {
                reader.readExactly(stillNoNewline.consumed());
            } catch (IncompleteReadException eof) {
                return;                                       // the next read sees the end
            }
        }
    }

    static boolean isQuit(byte[] line) {
        int n = line.length;
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r' || line[n - 1] == ' ' || line[n - 1] == '\t')) {
            n--;
        }
        return n == 4 && new String(line, 0, 4, StandardCharsets.US_ASCII).equalsIgnoreCase("quit");
    }
}
