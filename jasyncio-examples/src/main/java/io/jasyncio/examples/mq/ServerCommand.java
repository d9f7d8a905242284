package io.jasyncio.examples.mq;

import io.jasyncio.Asyncio;
import io.jasyncio.EventLoop;
import io.jasyncio.net.Server;
import io.jasyncio.sync.Event;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code mq server}: runs a {@link Broker} until SIGINT or SIGTERM, then shuts down as
 * {@code docs/shutdown.md} describes: stop accepting, stop reading, send every listener what is
 * queued for it, wait up to {@code --grace} seconds (a second signal: no longer), abort the rest,
 * exit 0.
 */
@Command(name = "server", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Runs the message broker until SIGINT or SIGTERM; logs to standard error.",
                "On the signal it stops accepting and reading, sends each listener what is queued for it, waits up to"
                + " --grace seconds for them, then closes the rest (a second signal: at once) and exits 0.",
                ""},
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {"  0:stopped by SIGINT or SIGTERM, gracefully",
                "  1:could not listen (the port is taken, the host unknown)",
                "  2:bad usage"})
public final class ServerCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--host", paramLabel = "HOST", description = "Where to listen (default: ${DEFAULT-VALUE}).")
    String host = "127.0.0.1";

    @Option(names = {"-p", "--port"}, paramLabel = "PORT", description = "The port; 0 picks a free one (default: ${DEFAULT-VALUE}).")
    int port = Mq.DEFAULT_PORT;

    @Option(names = "--max-frame", paramLabel = "BYTES",
            description = "The longest frame accepted; a longer length prefix closes the connection (default: ${DEFAULT-VALUE}).")
    int maxFrame = Frames.DEFAULT_MAX_FRAME;

    @Option(names = "--queue-size", paramLabel = "N",
            description = "Messages each listener's send queue holds (default: ${DEFAULT-VALUE}).")
    int queueSize = Broker.Config.DEFAULTS.queueSize();

    @Option(names = "--slow", paramLabel = "POLICY",
            description = "What happens to a listener of a broadcast channel whose send queue is full: disconnect,"
                    + " drop-oldest or drop-newest (default: ${DEFAULT-VALUE}). /queue channels skip it instead.")
    String slow = Broker.SlowPolicy.DISCONNECT.label();

    @Option(names = "--grace", paramLabel = "SECONDS",
            description = "On SIGINT or SIGTERM, how long listeners get to receive what is queued for them (default: ${DEFAULT-VALUE}).")
    double grace = 5;

    @Option(names = "--subscribe-timeout", paramLabel = "SECONDS",
            description = "How long a new client gets to send its first frame (the channel it listens to); 0 for no"
                    + " limit (default: ${DEFAULT-VALUE}).")
    double subscribeTimeout = Broker.Config.DEFAULTS.subscribeTimeout();

    @Option(names = "--idle-timeout", paramLabel = "SECONDS",
            description = "Close a connection on which no byte moved either way for this long; 0 for no limit, the"
                    + " default, as a listener of a quiet channel is silent both ways.")
    double idleTimeout = Broker.Config.DEFAULTS.idleTimeout();

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        Broker.Config config;
        try {
            if (!(grace >= 0) || Double.isInfinite(grace)) {
                throw new IllegalArgumentException("--grace must be a number of seconds, 0 or more: " + grace);
            }
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("--port must be between 0 and 65535: " + port);
            }
            config = new Broker.Config(maxFrame, queueSize, Broker.SlowPolicy.parse(slow), subscribeTimeout, idleTimeout);
        } catch (IllegalArgumentException e) {
            err.println("mq server: " + e.getMessage());
            err.flush();
            return 2;
        }
        try {
            Mq.run(() -> serve(config, err));
        } catch (IOException e) {
            err.println("mq server: cannot listen on " + host + ":" + port + ": " + e.getMessage());
            err.flush();
            return 1;
        }
        return 0;
    }

    private void serve(Broker.Config config, PrintWriter err) throws IOException {
        EventLoop loop = Asyncio.getRunningLoop();
        Broker broker = new Broker(config, line -> say(err, line));
        // 1. A signal only records the request; the shutdown runs in this task, where it can await.
        //    A second signal cuts the grace period short.
        Event stop = new Event();
        for (String sig : List.of("INT", "TERM")) {
            loop.addSignalHandler(sig, () -> {
                if (stop.isSet()) {
                    say(err, "SIG" + sig + " again: closing the connections now");
                    broker.hurry();
                } else {
                    say(err, "SIG" + sig + ": shutting down");
                    stop.set();
                }
            });
        }
        try {
            Server server = broker.start(host, port);
            say(err, String.format(Locale.ROOT, "listening on %s:%d (frames up to %,d bytes, %d messages queued per"
                            + " listener, slow listeners: %s)", host, server.port(), config.maxFrame(), config.queueSize(),
                    config.slowPolicy().label()));
            stop.await();
            // 2-5. Stop accepting and reading, let listeners receive what is queued, abort the rest.
            broker.shutdown(grace);
            say(err, "stopped: " + broker.stats());
        } finally {
            // 6. From now on Ctrl-C ends the process at once.
            loop.removeSignalHandler("INT");
            loop.removeSignalHandler("TERM");
        }
    }

    private static void say(PrintWriter err, String line) {
        err.println("mq server: " + line);
        err.flush();
    }
}
