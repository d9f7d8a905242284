package io.jasyncio.streams;

import io.jasyncio.EventLoop;
import io.jasyncio.net.ConnectOptions;
import io.jasyncio.net.Endpoint;
import io.jasyncio.net.Server;
import io.jasyncio.net.ServerOptions;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Opening stream connections and stream servers (asyncio's {@code open_connection},
 * {@code start_server}, {@code open_unix_connection}, {@code start_unix_server}): thin layers over
 * the running loop's {@link EventLoop#createConnection createConnection} and
 * {@link EventLoop#createServer createServer} with a {@link StreamReaderProtocol}.
 *
 * <p>Every method must be called from a task; they use the running loop.
 */
public final class Streams {
    private Streams() {
    }

    /**
     * Connects over TCP and returns the connection's reader and writer, the reader with the
     * {@linkplain StreamReader#DEFAULT_LIMIT default limit}. Mirrors {@code open_connection}.
     *
     * <p>A cancellation point: if cancelled, nothing stays open.
     *
     * @param host a host name or literal address
     * @param port the port
     * @return the reader and writer
     * @throws IOException if no address connects ({@link java.net.ConnectException} when refused)
     */
    public static StreamConnection openConnection(String host, int port) throws IOException {
        return openConnection(host, port, ConnectOptions.DEFAULTS, StreamReader.DEFAULT_LIMIT);
    }

    /**
     * Connects with options (TLS, local address, time limit, happy eyeballs) and a reader limit.
     * Mirrors {@code open_connection(host, port, limit=, **kwds)}.
     *
     * <p>A cancellation point: if cancelled, nothing stays open.
     *
     * @param host a host name or literal address
     * @param port the port
     * @param options how to connect
     * @param limit the reader's limit
     * @return the reader and writer
     * @throws IOException if no address connects, or TLS fails
     * @throws io.jasyncio.AsyncTimeoutException if {@code options.connectTimeout()} passed
     */
    public static StreamConnection openConnection(String host, int port, ConnectOptions options, int limit)
            throws IOException {
        Objects.requireNonNull(options, "options");
        StreamReader reader = new StreamReader(limit);
        StreamReaderProtocol protocol = new StreamReaderProtocol(reader);
        Endpoint<StreamReaderProtocol> e = EventLoop.getRunningLoop().createConnection(() -> protocol, host, port,
                options);
        return new StreamConnection(reader, new StreamWriter(e.transport(), protocol, reader));
    }

    /**
     * Listens on {@code host:port} and runs {@code handler} as a new task for each connection.
     * Mirrors {@code start_server}: a null host listens everywhere, port 0 picks a free port
     * ({@link Server#port()}). If a handler throws, its exception goes to the loop's exception
     * handler and its connection is closed.
     *
     * @param handler what to run per connection
     * @param host where to listen, or null for everywhere
     * @param port the port, 0 for any
     * @return the server, listening
     * @throws IOException if a bind fails
     */
    public static Server startServer(ClientConnectedHandler handler, String host, int port) throws IOException {
        return startServer(handler, host, port, ServerOptions.DEFAULTS, StreamReader.DEFAULT_LIMIT);
    }

    /**
     * Listens with options (backlog, reuse-port, TLS, start serving) and a reader limit per
     * connection. Mirrors {@code start_server(cb, host, port, limit=, **kwds)}.
     *
     * @param handler what to run per connection
     * @param host where to listen, or null for everywhere
     * @param port the port, 0 for any
     * @param options how to listen
     * @param limit each connection's reader limit
     * @return the server
     * @throws IOException if a bind fails
     */
    public static Server startServer(ClientConnectedHandler handler, String host, int port, ServerOptions options,
            int limit) throws IOException {
        Objects.requireNonNull(handler, "handler");
        Objects.requireNonNull(options, "options");
        checkLimit(limit);
        return EventLoop.getRunningLoop().createServer(
                () -> new StreamReaderProtocol(new StreamReader(limit), handler), host, port, options);
    }

    /**
     * Connects to a Unix domain socket. Mirrors {@code open_unix_connection}.
     *
     * <p>A cancellation point: if cancelled, nothing stays open.
     *
     * @param path the socket's path
     * @return the reader and writer
     * @throws IOException if the connect fails
     */
    public static StreamConnection openUnixConnection(Path path) throws IOException {
        return openUnixConnection(path, ConnectOptions.DEFAULTS, StreamReader.DEFAULT_LIMIT);
    }

    /**
     * Connects to a Unix domain socket with options (TLS, time limit) and a reader limit.
     *
     * <p>A cancellation point: if cancelled, nothing stays open.
     *
     * @param path the socket's path
     * @param options TLS and time limit
     * @param limit the reader's limit
     * @return the reader and writer
     * @throws IOException if the connect fails
     */
    public static StreamConnection openUnixConnection(Path path, ConnectOptions options, int limit)
            throws IOException {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(options, "options");
        StreamReader reader = new StreamReader(limit);
        StreamReaderProtocol protocol = new StreamReaderProtocol(reader);
        Endpoint<StreamReaderProtocol> e = EventLoop.getRunningLoop().createUnixConnection(() -> protocol, path,
                options);
        return new StreamConnection(reader, new StreamWriter(e.transport(), protocol, reader));
    }

    /**
     * Listens on a Unix domain socket. Mirrors {@code start_unix_server}.
     *
     * @param handler what to run per connection
     * @param path the socket's path
     * @return the server
     * @throws IOException if the bind fails
     */
    public static Server startUnixServer(ClientConnectedHandler handler, Path path) throws IOException {
        return startUnixServer(handler, path, ServerOptions.DEFAULTS, StreamReader.DEFAULT_LIMIT);
    }

    /**
     * Listens on a Unix domain socket with options and a reader limit per connection.
     *
     * @param handler what to run per connection
     * @param path the socket's path
     * @param options backlog, TLS, start serving
     * @param limit each connection's reader limit
     * @return the server
     * @throws IOException if the bind fails
     */
    public static Server startUnixServer(ClientConnectedHandler handler, Path path, ServerOptions options, int limit)
            throws IOException {
        Objects.requireNonNull(handler, "handler");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(options, "options");
        checkLimit(limit);
        return EventLoop.getRunningLoop().createUnixServer(
                () -> new StreamReaderProtocol(new StreamReader(limit), handler), path, options);
    }

    private static void checkLimit(int limit) {
        if (limit <= 0) {
            throw new IllegalArgumentException("limit must be positive: " + limit);
        }
    }
}
