package io.jasyncio.monitor;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * A live console into every loop of this process, as aiomonitor is for asyncio: connect with
 * {@code ./jasyncio monitor HOST:PORT} (or {@code nc}, {@code telnet}) and type {@code ps},
 * {@code tree}, {@code where 12}, {@code cancel 12}, {@code signal INT}, or {@code json ps} for
 * tools. Opt-in: start it with {@link #start(String)} or {@code -Djasyncio.monitor=HOST:PORT}.
 *
 * <p>It listens on loopback by default (port {@value #DEFAULT_PORT}) and is served from its own
 * platform threads, never from a loop, so it answers while a loop is blocked; the dumps then say
 * what blocks it. Anyone who can connect can cancel tasks and signal the process: keep it on
 * loopback.
 */
public final class Monitor implements AutoCloseable {
    /** The port when none is given (aiomonitor's). */
    public static final int DEFAULT_PORT = 20101;
    private static final String PROMPT = "monitor >>> ";

    private final ServerSocket server;
    private final Thread acceptor;

    private Monitor(ServerSocket server) {
        this.server = server;
        this.acceptor = Thread.ofPlatform().daemon().name("jasyncio-monitor " + server.getLocalSocketAddress()).unstarted(this::accept);
    }

    /**
     * Starts a monitor on {@code HOST:PORT}, {@code :PORT}, {@code PORT} or {@code HOST}; the host
     * defaults to loopback and the port to {@value #DEFAULT_PORT} (0 picks a free one).
     *
     * @param address where to listen
     * @return the running monitor
     * @throws UncheckedIOException if it cannot listen there
     */
    public static Monitor start(String address) {
        return start(parse(address));
    }

    /**
     * Starts a monitor listening on {@code address}.
     *
     * @param address where to listen
     * @return the running monitor
     * @throws UncheckedIOException if it cannot listen there
     */
    public static Monitor start(InetSocketAddress address) {
        Objects.requireNonNull(address, "address");
        try {
            ServerSocket s = new ServerSocket();
            s.setReuseAddress(true);
            s.bind(address, 16);
            Monitor m = new Monitor(s);
            m.acceptor.start();
            return m;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the jasyncio monitor on " + address, e);
        }
    }

    /** Parses {@code HOST:PORT}, {@code :PORT}, {@code PORT} or {@code HOST} (loopback and the default port otherwise). */
    static InetSocketAddress parse(String address) {
        String a = address == null ? "" : address.trim();
        String host = null;
        int port = DEFAULT_PORT;
        int colon = a.lastIndexOf(':');
        try {
            if (colon >= 0) {
                host = a.substring(0, colon);
                port = Integer.parseInt(a.substring(colon + 1));
            } else if (!a.isEmpty() && a.chars().allMatch(Character::isDigit)) {
                port = Integer.parseInt(a);
            } else if (!a.isEmpty()) {
                host = a;
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a HOST:PORT address: '" + address + "'");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port out of range in '" + address + "'");
        }
        return host == null || host.isEmpty()
                ? new InetSocketAddress(InetAddress.getLoopbackAddress(), port)
                : new InetSocketAddress(host, port);
    }

    /** @return the address the monitor listens on (with the port it got, if 0 was asked) */
    public InetSocketAddress address() {
        return (InetSocketAddress) server.getLocalSocketAddress();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket c = server.accept();
                Thread.ofPlatform().daemon().name("jasyncio-monitor client " + c.getRemoteSocketAddress()).start(() -> serve(c));
            } catch (IOException e) {
                if (!server.isClosed()) {
                    System.getLogger("io.jasyncio").log(System.Logger.Level.WARNING, "monitor accept failed", e);
                }
            }
        }
    }

    private static void serve(Socket c) {
        try (c; BufferedReader in = new BufferedReader(new InputStreamReader(c.getInputStream(), StandardCharsets.UTF_8))) {
            OutputStream out = c.getOutputStream();
            write(out, "jasyncio monitor, process " + ProcessHandle.current().pid() + ". Type help.\n" + PROMPT);
            for (String line; (line = in.readLine()) != null; ) {
                String cmd = line.trim();
                if (cmd.equalsIgnoreCase("quit") || cmd.equalsIgnoreCase("exit")) {
                    return;
                }
                String answer = Commands.run(cmd);
                write(out, answer + (answer.isEmpty() || answer.endsWith("\n") ? "" : "\n") + PROMPT);
            }
        } catch (IOException e) {
            // The client went away.
        }
    }

    private static void write(OutputStream out, String s) throws IOException {
        out.write(s.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** Stops listening; connected clients are served until they leave. */
    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException e) {
            // Closing anyway.
        }
    }

    /** @return the text that ends each answer, for clients */
    static String prompt() {
        return PROMPT;
    }
}
