package io.jasyncio.examples.echo;

import javax.net.ssl.SSLContext;
import java.util.Locale;

/**
 * How an echo server listens and behaves: the command's options, checked.
 *
 * @param host the address to listen on
 * @param port the port; 0 for any free port (the first loop picks it, the others join it)
 * @param loops how many event loops, each on its own thread with its own listening socket
 * @param backlog each listening socket's queue of connections not yet accepted (the kernel caps it
 *     at {@code net.core.somaxconn})
 * @param maxLine the longest line echoed, in bytes, not counting its line ending ({@code "\n"} or
 *     {@code "\r\n"}); a longer line is answered with an error line and discarded, and the
 *     connection stays usable
 * @param grace seconds connected clients get to leave after a stop is asked for
 * @param greeting whether each connection starts with a greeting line
 * @param verbose whether every connection and disconnection is logged
 * @param ssl TLS for every connection, or null for plain TCP
 * @param idleTimeout seconds a client gets to complete each line (counted from when the server
 *     starts waiting for it), and seconds a connection may go without a byte moving either way
 *     (the server's {@code idleTimeout}: a client that stops reading its echoes); 0 for no limit
 * @param firstByteTimeout seconds a new client gets to send its first byte (the server's
 *     {@code firstByteTimeout}); 0 for no limit
 */
public record EchoConfig(String host, int port, int loops, int backlog, int maxLine, double grace,
        boolean greeting, boolean verbose, SSLContext ssl, double idleTimeout, double firstByteTimeout) {

    /**
     * 127.0.0.1:8888, one loop, backlog 4096, lines up to 8192 bytes, 10 s of grace, a greeting,
     * plain TCP, 300 s per line (and of silence), 60 s for the first byte.
     */
    public static final EchoConfig DEFAULTS = new EchoConfig("127.0.0.1", 8888, 1, 4096, 8192, 10, true, false, null);

    /** These settings with the default timeouts (300 s idle, 60 s for the first byte). */
    public EchoConfig(String host, int port, int loops, int backlog, int maxLine, double grace, boolean greeting,
            boolean verbose, SSLContext ssl) {
        this(host, port, loops, backlog, maxLine, grace, greeting, verbose, ssl, 300, 60);
    }

    /** Checks the values. */
    public EchoConfig {
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("--host must name an address");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("--port must be between 0 and 65535: " + port);
        }
        if (loops < 1 || loops > 1024) {
            throw new IllegalArgumentException("--loops must be between 1 and 1024: " + loops);
        }
        if (backlog < 1) {
            throw new IllegalArgumentException("--backlog must be at least 1: " + backlog);
        }
        if (maxLine < 1) {
            throw new IllegalArgumentException("--max-line must be at least 1 byte: " + maxLine);
        }
        if (!(grace >= 0) || Double.isInfinite(grace)) {
            throw new IllegalArgumentException("--grace must be a number of seconds, 0 or more: " + grace);
        }
        if (!(idleTimeout >= 0) || Double.isInfinite(idleTimeout)) {
            throw new IllegalArgumentException("--idle-timeout must be a number of seconds, 0 (none) or more: "
                    + idleTimeout);
        }
        if (!(firstByteTimeout >= 0) || Double.isInfinite(firstByteTimeout)) {
            throw new IllegalArgumentException("--first-byte-timeout must be a number of seconds, 0 (none) or more: "
                    + firstByteTimeout);
        }
    }

    /** These settings on another port. */
    public EchoConfig withPort(int p) {
        return new EchoConfig(host, p, loops, backlog, maxLine, grace, greeting, verbose, ssl, idleTimeout, firstByteTimeout);
    }

    /** These settings with another number of loops. */
    public EchoConfig withLoops(int n) {
        return new EchoConfig(host, port, n, backlog, maxLine, grace, greeting, verbose, ssl, idleTimeout, firstByteTimeout);
    }

    /** These settings with another grace period. */
    public EchoConfig withGrace(double seconds) {
        return new EchoConfig(host, port, loops, backlog, maxLine, seconds, greeting, verbose, ssl, idleTimeout, firstByteTimeout);
    }

    /** These settings with another line limit. */
    public EchoConfig withMaxLine(int bytes) {
        return new EchoConfig(host, port, loops, backlog, bytes, grace, greeting, verbose, ssl, idleTimeout, firstByteTimeout);
    }

    /** These settings with TLS (or without, for null). */
    public EchoConfig withSsl(SSLContext context) {
        return new EchoConfig(host, port, loops, backlog, maxLine, grace, greeting, verbose, context, idleTimeout,
                firstByteTimeout);
    }

    /** These settings with other timeouts (seconds, 0 for none). */
    public EchoConfig withTimeouts(double idle, double firstByte) {
        return new EchoConfig(host, port, loops, backlog, maxLine, grace, greeting, verbose, ssl, idle, firstByte);
    }

    /** The grace period as people write it: "10 s", "0.5 s". */
    String graceText() {
        return seconds(grace);
    }

    static String seconds(double s) {
        return (s == Math.rint(s) && s < 1e9 ? Long.toString((long) s) : String.format(Locale.ROOT, "%s", s)) + " s";
    }
}
