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
 * @param maxLine the longest line echoed, in bytes, not counting its newline; a longer line is
 *     answered with an error line and discarded, and the connection stays usable
 * @param grace seconds connected clients get to leave after a stop is asked for
 * @param greeting whether each connection starts with a greeting line
 * @param verbose whether every connection and disconnection is logged
 * @param ssl TLS for every connection, or null for plain TCP
 */
public record EchoConfig(String host, int port, int loops, int backlog, int maxLine, double grace,
        boolean greeting, boolean verbose, SSLContext ssl) {

    /** 127.0.0.1:8888, one loop, backlog 4096, lines up to 8192 bytes, 10 s of grace, a greeting, plain TCP. */
    public static final EchoConfig DEFAULTS = new EchoConfig("127.0.0.1", 8888, 1, 4096, 8192, 10, true, false, null);

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
    }

    /** These settings on another port. */
    public EchoConfig withPort(int p) {
        return new EchoConfig(host, p, loops, backlog, maxLine, grace, greeting, verbose, ssl);
    }

    /** These settings with another number of loops. */
    public EchoConfig withLoops(int n) {
        return new EchoConfig(host, port, n, backlog, maxLine, grace, greeting, verbose, ssl);
    }

    /** These settings with another grace period. */
    public EchoConfig withGrace(double seconds) {
        return new EchoConfig(host, port, loops, backlog, maxLine, seconds, greeting, verbose, ssl);
    }

    /** These settings with another line limit. */
    public EchoConfig withMaxLine(int bytes) {
        return new EchoConfig(host, port, loops, backlog, bytes, grace, greeting, verbose, ssl);
    }

    /** These settings with TLS (or without, for null). */
    public EchoConfig withSsl(SSLContext context) {
        return new EchoConfig(host, port, loops, backlog, maxLine, grace, greeting, verbose, context);
    }

    /** The grace period as people write it: "10 s", "0.5 s". */
    String graceText() {
        return seconds(grace);
    }

    static String seconds(double s) {
        return (s == Math.rint(s) && s < 1e9 ? Long.toString((long) s) : String.format(Locale.ROOT, "%s", s)) + " s";
    }
}
