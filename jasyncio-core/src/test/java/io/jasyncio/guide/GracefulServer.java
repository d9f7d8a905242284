package io.jasyncio.guide;

import io.jasyncio.Asyncio;
import io.jasyncio.EventLoop;
import io.jasyncio.Task;
import io.jasyncio.Timeout;
import io.jasyncio.net.Protocol;
import io.jasyncio.net.Server;
import io.jasyncio.net.Transport;
import io.jasyncio.sync.Event;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The graceful-shutdown recipe of {@code docs/shutdown.md}: an echo server that, on SIGINT or
 * SIGTERM, stops accepting, tells its clients, waits for them to leave up to a deadline (or until a
 * second signal), then drops the rest. {@code GracefulServerTest} runs it in a child JVM and
 * sends it real signals.
 */
public final class GracefulServer {
    private final double grace;
    /** The open connections: touched only on the loop, so no lock. */
    private final Set<Transport> clients = new LinkedHashSet<>();

    GracefulServer(double grace) {
        this.grace = grace;
    }

    /** {@code GracefulServer [PORT [GRACE_SECONDS]]}. */
    public static void main(String[] args) {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 8888;
        double grace = args.length > 1 ? Double.parseDouble(args[1]) : 10;
        Asyncio.run(() -> new GracefulServer(grace).serve("127.0.0.1", port));
        // Exit status 0: the stop was asked for and went as planned.
    }

    void serve(String host, int port) throws Exception {
        EventLoop loop = Asyncio.getRunningLoop();

        // 1. A signal handler only records the request; the shutdown runs below, in the main task,
        //    where it can await. A second signal cuts the waiting short.
        Event stop = new Event();
        Event hurry = new Event();
        for (String sig : List.of("INT", "TERM")) {
            loop.addSignalHandler(sig, () -> {
                say((stop.isSet() ? "hurrying: SIG" : "stopping: SIG") + sig);
                if (stop.isSet()) {
                    hurry.set();
                }
                stop.set();
            });
        }
        try {
            Server server = loop.createServer(() -> new Echo(), host, port);
            say("listening on " + server.port());
            stop.await();

            // 2. Stop accepting. Connections already made stay open.
            server.close();

            // 3. Tell the clients.
            byte[] notice = ("server shutting down: finish within " + grace + " s\r\n").getBytes(StandardCharsets.UTF_8);
            for (Transport t : clients) {
                t.write(notice);
            }
            say("told " + clients.size() + " clients");

            // 4. Wait for them to leave, up to the deadline; a second signal moves the deadline to now.
            Timeout deadline = Asyncio.moveOnAfter(hurry.isSet() ? 0 : grace);
            // The watcher starts inside the scope: only an entered scope can be rescheduled.
            deadline.run(() -> {
                Task<Void> watcher = Asyncio.createTask("hurry", () -> {
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

            // 5. Drop whoever is left, and wait until they are gone.
            int left = server.activeConnections();
            if (left > 0) {
                say("aborting " + left + " clients");
                server.abortClients();
            } else {
                say("all clients left");
            }
            server.waitClosed();
            say("stopped");
        } finally {
            // 6. Give the signals back: from here on Ctrl-C ends the JVM at once.
            loop.removeSignalHandler("INT");
            loop.removeSignalHandler("TERM");
        }
    }

    private final class Echo implements Protocol {
        private Transport transport;

        @Override
        public void connectionMade(Transport t) {
            transport = t;
            clients.add(t);
        }

        @Override
        public void dataReceived(byte[] data) {
            transport.write(data);
        }

        @Override
        public void connectionLost(Exception exc) {
            clients.remove(transport);
        }
    }

    static void say(String line) {
        System.out.println(line);
        System.out.flush();
    }
}
