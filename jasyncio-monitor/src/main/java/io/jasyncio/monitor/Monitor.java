package io.jasyncio.monitor;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.Semaphore;

/**
 * A live console into every loop of this process, as aiomonitor is for asyncio: connect with
 * {@code ./jasyncio monitor HOST:PORT} (or {@code nc}, {@code telnet}) and type {@code ps},
 * {@code tree}, {@code where 12}, {@code cancel 12}, {@code signal INT}, or {@code json ps} for
 * tools. Opt-in: start it with {@link #start(String)} or {@code -Djasyncio.monitor=HOST:PORT}.
 *
 * <p>It listens on loopback by default (port {@value #DEFAULT_PORT}); bound to any other address
 * it logs a warning, since anyone who can connect can cancel tasks and signal the process. With a
 * token ({@link #start(String, String)}, {@code -Djasyncio.monitor.token} or the environment
 * variable {@code JASYNCIO_MONITOR_TOKEN}) a client must send {@code auth TOKEN} before any
 * other command; a wrong token closes the connection. The token is compared in constant time.
 *
 * <p>It is served apart from every loop, so it answers while a loop is blocked (the dumps then say
 * what blocks it): one platform thread accepts, and each client is served on a virtual thread of
 * its own, at most {@value #MAX_CLIENTS} at once. A request line longer than
 * {@value #MAX_LINE} bytes is answered with a one-line error and the connection is closed; a
 * command that fails answers with a one-line error.
 */
public final class Monitor implements AutoCloseable {
    /** The port when none is given (aiomonitor's). */
    public static final int DEFAULT_PORT = 20101;
    /** The longest request line, in bytes (without its line end). */
    public static final int MAX_LINE = 4096;
    /** How many clients are served at once; the next ones are told so and closed. */
    public static final int MAX_CLIENTS = 32;
    /** The environment variable holding the token when none is given in code or as a property. */
    public static final String TOKEN_ENV = "JASYNCIO_MONITOR_TOKEN";
    private static final String PROMPT = "monitor >>> ";
    private static final System.Logger LOG = System.getLogger("io.jasyncio");

    private final ServerSocket server;
    private final Thread acceptor;
    private final byte[] tokenDigest;
    private final Semaphore clients = new Semaphore(MAX_CLIENTS);

    private Monitor(ServerSocket server, String token) {
        this.server = server;
        this.tokenDigest = token == null ? null : digest(token);
        this.acceptor = Thread.ofPlatform().daemon().name("jasyncio-monitor " + server.getLocalSocketAddress()).unstarted(this::accept);
    }

    /**
     * Starts a monitor on {@code HOST:PORT}, {@code :PORT}, {@code PORT} or {@code HOST}; the host
     * defaults to loopback and the port to {@value #DEFAULT_PORT} (0 picks a free one). It asks
     * for the token of {@code -Djasyncio.monitor.token} or {@code $JASYNCIO_MONITOR_TOKEN}, if set.
     *
     * @param address where to listen
     * @return the running monitor
     * @throws IllegalArgumentException if {@code address} is not an address
     * @throws UncheckedIOException if it cannot listen there
     */
    public static Monitor start(String address) {
        return start(parse(address), configuredToken());
    }

    /**
     * Starts a monitor on {@code address} (as for {@link #start(String)}) that asks every client
     * for {@code token} first.
     *
     * @param address where to listen
     * @param token what a client must send as {@code auth TOKEN}; null or empty for none
     * @return the running monitor
     * @throws IllegalArgumentException if {@code address} is not an address
     * @throws UncheckedIOException if it cannot listen there
     */
    public static Monitor start(String address, String token) {
        return start(parse(address), token);
    }

    /**
     * Starts a monitor listening on {@code address}, with the configured token if any (see
     * {@link #start(String)}).
     *
     * @param address where to listen
     * @return the running monitor
     * @throws UncheckedIOException if it cannot listen there
     */
    public static Monitor start(InetSocketAddress address) {
        return start(address, configuredToken());
    }

    /**
     * Starts a monitor listening on {@code address} that asks every client for {@code token} first.
     *
     * @param address where to listen
     * @param token what a client must send as {@code auth TOKEN}; null or empty for none
     * @return the running monitor
     * @throws UncheckedIOException if it cannot listen there
     */
    public static Monitor start(InetSocketAddress address, String token) {
        Objects.requireNonNull(address, "address");
        if (address.isUnresolved()) {
            throw new UncheckedIOException(new UnknownHostException(
                    "cannot start the jasyncio monitor on " + address.getHostString() + ": unknown host"));
        }
        String t = token == null || token.isEmpty() ? null : token;
        ServerSocket s = null;
        try {
            s = new ServerSocket();
            s.setReuseAddress(true);
            s.bind(address, 16);
        } catch (IOException e) {
            closeQuietly(s);
            throw new UncheckedIOException("cannot start the jasyncio monitor on " + Monitor.text(address) + ": "
                    + e.getMessage(), e);
        }
        Monitor m = new Monitor(s, t);
        if (!address.getAddress().isLoopbackAddress()) {
            LOG.log(System.Logger.Level.WARNING, m.exposureWarning());
        }
        m.acceptor.start();
        return m;
    }

    /**
     * The warning for a monitor that does not listen on loopback, or null if it does.
     *
     * @return the warning, or null
     */
    public String exposureWarning() {
        if (address().getAddress().isLoopbackAddress()) {
            return null;
        }
        return "the jasyncio monitor listens on " + text(address()) + ", not on loopback: whoever can reach it can"
                + " cancel tasks and signal this process" + (tokenDigest == null ? "; set a token (" + TOKEN_ENV + ")" : "");
    }

    /** {@return whether clients must send a token first} */
    public boolean requiresToken() {
        return tokenDigest != null;
    }

    private static String configuredToken() {
        String t = System.getProperty("jasyncio.monitor.token");
        return t != null ? t : System.getenv(TOKEN_ENV);
    }

    static String text(InetSocketAddress a) {
        String h = a.getHostString();
        return (h.indexOf(':') >= 0 ? "[" + h + "]" : h) + ":" + a.getPort();
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
                if (host.startsWith("[") && host.endsWith("]")) {
                    host = host.substring(1, host.length() - 1);       // [::1]:20101
                }
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

    /** {@return the address the monitor listens on (with the port it got, if 0 was asked)} */
    public InetSocketAddress address() {
        return (InetSocketAddress) server.getLocalSocketAddress();
    }

    private void accept() {
        while (!server.isClosed()) {
            Socket c;
            try {
                c = server.accept();
            } catch (IOException e) {
                if (!server.isClosed()) {
                    LOG.log(System.Logger.Level.WARNING, "monitor accept failed", e);
                }
                continue;
            }
            if (!clients.tryAcquire()) {
                Thread.ofVirtual().name("jasyncio-monitor refusal").start(() -> refuse(c));
                continue;
            }
            Thread.ofVirtual().name("jasyncio-monitor client " + c.getRemoteSocketAddress()).start(() -> {
                try {
                    serve(c);
                } finally {
                    clients.release();
                }
            });
        }
    }

    private static void refuse(Socket c) {
        try (c) {
            write(c.getOutputStream(), "error: the monitor serves " + MAX_CLIENTS + " clients at most; try again later\n");
        } catch (IOException e) {
            // The client went away.
        }
    }

    private void serve(Socket c) {
        try (c) {
            InputStream in = new BufferedInputStream(c.getInputStream());
            OutputStream out = c.getOutputStream();
            boolean authenticated = tokenDigest == null;
            write(out, (authenticated ? greeting() : "jasyncio monitor. It needs a token: type auth TOKEN.\n") + PROMPT);
            for (;;) {
                String line = readLine(in);
                if (line == null) {
                    return;
                }
                if (line == TOO_LONG) {
                    write(out, "error: request line longer than " + MAX_LINE + " bytes; closing the connection\n");
                    return;
                }
                String cmd = line.trim();
                String word = cmd.split("\\s+", 2)[0].toLowerCase(Locale.ROOT);
                if (word.equals("quit") || word.equals("exit")) {
                    return;
                }
                String answer;
                if (word.equals("auth")) {
                    if (tokenDigest == null) {
                        answer = "error: this monitor needs no token";
                    } else if (MessageDigest.isEqual(tokenDigest, digest(cmd.substring(4).trim()))) {
                        authenticated = true;
                        answer = greeting().stripTrailing();
                    } else {
                        write(out, "error: wrong token; closing the connection\n");
                        return;
                    }
                } else if (!authenticated && !word.isEmpty()) {
                    answer = "error: this monitor needs a token first: auth TOKEN";
                } else {
                    answer = run(cmd);
                }
                write(out, answer + (answer.isEmpty() || answer.endsWith("\n") ? "" : "\n") + PROMPT);
            }
        } catch (IOException e) {
            // The client went away.
        }
    }

    private static String greeting() {
        return "jasyncio monitor, process " + ProcessHandle.current().pid() + ". Type help.\n";
    }

    /** Runs a command; a command that fails answers with one line, never a stack trace. */
    private static String run(String cmd) {
        try {
            return Commands.run(cmd);
        } catch (RuntimeException | LinkageError e) {
            LOG.log(System.Logger.Level.WARNING, "monitor command '" + cmd + "' failed", e);
            return "error: '" + cmd + "' failed: " + e;
        }
    }

    /** Marks a line over {@link #MAX_LINE}. */
    private static final String TOO_LONG = new String("line too long");

    /** Reads one line (LF or CRLF) of at most {@link #MAX_LINE} bytes; null at the end, {@link #TOO_LONG} past the limit. */
    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        for (int b; (b = in.read()) != '\n'; ) {
            if (b == -1) {
                return buf.size() == 0 ? null : buf.toString(StandardCharsets.UTF_8);
            }
            if (buf.size() == MAX_LINE) {
                return TOO_LONG;
            }
            buf.write(b);
        }
        String s = buf.toString(StandardCharsets.UTF_8);
        return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
    }

    private static byte[] digest(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("no SHA-256 in this JDK", e);
        }
    }

    private static void closeQuietly(ServerSocket s) {
        if (s != null) {
            try {
                s.close();
            } catch (IOException e) {
                // Closing anyway.
            }
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
