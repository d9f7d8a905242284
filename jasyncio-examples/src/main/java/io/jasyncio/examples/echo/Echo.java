package io.jasyncio.examples.echo;

import io.jasyncio.net.TlsContexts;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.concurrent.Callable;

/**
 * The echo server of the asyncio books, telnet-friendly, with the graceful shutdown of
 * {@code docs/shutdown.md} and, with {@code --loops N}, one event loop per core on one port
 * ({@code docs/multicore.md}). See {@link EchoServer} for the line protocol and
 * {@link EchoCluster} for the loops.
 */
@Command(name = "echo", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"A telnet-friendly TCP echo server: every line a client sends comes back to it.",
                "Lines end with LF or CRLF and are echoed byte for byte. A line longer than --max-line bytes is"
                + " answered with an error line and discarded; the connection stays usable. 'quit' on a line"
                + " closes the connection.",
                "On SIGINT or SIGTERM (Ctrl-C, kill) it stops accepting, tells every client 'server shutting down',"
                + " waits up to --grace seconds for them to leave, closes the rest, and exits with status 0."
                + " A second signal closes the remaining clients at once.",
                "With --loops N it runs N event loops, each on its own thread with its own listening socket on the"
                + " same port (SO_REUSEPORT); the kernel spreads the connections among them.",
                "With no options it listens on 127.0.0.1:8888 (nothing leaves the machine); --demo runs a short"
                + " scripted session against itself instead and exits.",
                ""},
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {
                "  0:stopped as asked (a signal), or --demo went as expected",
                "  1:could not listen (the port is taken, the host is not local), a key store failed, or --demo"
                + " saw something unexpected",
                "  2:bad usage (an unknown option, a bad value)"},
        footerHeading = "%nExamples:%n",
        footer = {"  ./jasyncio echo                      then, elsewhere: telnet 127.0.0.1 8888",
                "  ./jasyncio echo --port 0 --loops $(nproc)",
                "  ./jasyncio echo --demo",
                "  ./jasyncio echo --tls server.p12   with JASYNCIO_TLS_PASSWORD set; then, elsewhere:",
                "                                     openssl s_client -quiet -connect 127.0.0.1:8888"})
public final class Echo implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--host", paramLabel = "HOST",
            description = "Address to listen on (default: ${DEFAULT-VALUE}).")
    String host = EchoConfig.DEFAULTS.host();

    @Option(names = {"-p", "--port"}, paramLabel = "PORT",
            description = "Port to listen on; 0 for any free port, which is printed (default: 8888; with --demo: 0).")
    Integer port;

    @Option(names = "--grace", paramLabel = "SECONDS",
            description = "After a stop signal, how long clients get to leave before they are disconnected"
                    + " (default: 10).")
    double grace = EchoConfig.DEFAULTS.grace();

    @Option(names = "--loops", paramLabel = "N",
            description = "Event loops, each on its own thread and listening socket, sharing the port"
                    + " (default: ${DEFAULT-VALUE}; for one per core, the number of cores, as nproc prints it).")
    int loops = EchoConfig.DEFAULTS.loops();

    @Option(names = "--max-line", paramLabel = "BYTES",
            description = "Longest line echoed, not counting its newline (default: ${DEFAULT-VALUE}).")
    int maxLine = EchoConfig.DEFAULTS.maxLine();

    @Option(names = "--backlog", paramLabel = "N",
            description = "Each listening socket's queue of connections not yet accepted; the kernel caps it at"
                    + " net.core.somaxconn (default: ${DEFAULT-VALUE}).")
    int backlog = EchoConfig.DEFAULTS.backlog();

    @Option(names = "--no-greeting", description = "Do not greet each client with a line saying what to do.")
    boolean noGreeting;

    @Option(names = {"-v", "--verbose"}, description = "Log every connection and disconnection.")
    boolean verbose;

    @Option(names = "--tls", paramLabel = "KEYSTORE",
            description = "Serve TLS with the key and certificate chain of this PKCS#12 or JKS key store.")
    Path tls;

    @Option(names = "--tls-password", paramLabel = "PASSWORD", defaultValue = "${env:JASYNCIO_TLS_PASSWORD}",
            description = "The key store's password (default: the JASYNCIO_TLS_PASSWORD environment variable).")
    String tlsPassword;

    @Option(names = "--demo",
            description = "Start the server, connect three clients that show echo, CRLF, an over-long line and quit,"
                    + " stop the server as a signal would (the clients are told), print the exchange, exit.")
    boolean demo;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        SSLContext ssl = null;
        if (tls != null) {
            if (tlsPassword == null) {
                return usage(err, "--tls needs the key store's password: --tls-password or JASYNCIO_TLS_PASSWORD");
            }
            try {
                ssl = TlsContexts.server(tls, tlsPassword.toCharArray());      // blocking: before any loop runs
            } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
                // IllegalArgumentException: the JDK's KeyStore.getInstance(File) for a missing file
                err.println("echo: --tls " + tls + ": " + e.getMessage());
                err.flush();
                return 1;
            }
        }
        EchoConfig config;
        try {
            config = new EchoConfig(host, port != null ? port : demo ? 0 : EchoConfig.DEFAULTS.port(), loops, backlog,
                    maxLine, grace, !noGreeting, verbose, ssl);
        } catch (IllegalArgumentException e) {
            return usage(err, e.getMessage());
        }
        if (demo) {
            if (ssl != null) {
                return usage(err, "--demo speaks plain TCP: leave out --tls");
            }
            return EchoDemo.run(config, out, err);
        }
        EchoCluster cluster;
        try {
            cluster = EchoCluster.start(config, out, true);
        } catch (IOException | RuntimeException e) {
            // RuntimeException: e.g. UnsupportedOperationException where SO_REUSEPORT does not exist
            err.println("echo: cannot listen on " + host + ":" + config.port() + ": "
                    + (e.getMessage() != null ? e.getMessage() : e.toString()));
            err.flush();
            return 1;
        }
        err.println("echo: listening on " + host + ":" + cluster.port() + describe(config)
                + "; stop with Ctrl-C or kill " + ProcessHandle.current().pid());
        err.flush();
        try {
            cluster.awaitTermination();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
        return summary(cluster, out, err);
    }

    static String describe(EchoConfig c) {
        return (c.ssl() != null ? " (TLS)" : "")
                + (c.loops() > 1 ? " with " + c.loops() + " loops (SO_REUSEPORT)" : "")
                + "; lines up to " + c.maxLine() + " bytes; grace " + c.graceText();
    }

    /** The last line; 0 if every loop shut down as planned. */
    static int summary(EchoCluster cluster, PrintWriter out, PrintWriter err) {
        try {
            cluster.shutdownCounts();
        } catch (IllegalStateException failed) {
            err.println("echo: " + failed.getMessage());
            err.flush();
            return 1;
        }
        long total = cluster.acceptedPerLoop().stream().mapToLong(Long::longValue).sum();
        out.println("echo: stopped after serving " + total + " connection" + (total == 1 ? "" : "s")
                + (cluster.loops() > 1 ? " " + cluster.acceptedPerLoop() + " by loop" : ""));
        out.flush();
        return 0;
    }

    private static int usage(PrintWriter err, String message) {
        err.println("echo: " + message);
        err.flush();
        return 2;
    }
}
