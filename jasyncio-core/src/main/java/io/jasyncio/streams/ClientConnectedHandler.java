package io.jasyncio.streams;

/**
 * What a stream server runs for each accepted connection (asyncio's {@code client_connected_cb}),
 * as a new task. If it throws, the exception goes to the loop's exception handler and the
 * connection is closed.
 */
@FunctionalInterface
public interface ClientConnectedHandler {
    /**
     * Serves one connection.
     *
     * @param reader the connection's reader
     * @param writer the connection's writer
     * @throws Exception anything; it is reported to the loop's exception handler
     */
    void handle(StreamReader reader, StreamWriter writer) throws Exception;
}
