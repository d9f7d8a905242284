package io.jasyncio.streams;

/**
 * A connection's two halves, as {@link Streams#openConnection} returns them (asyncio's
 * {@code (reader, writer)} pair). {@link #close()} closes the writer, hence the connection, so
 * {@code try (StreamConnection c = Streams.openConnection(host, port)) { ... }} never leaks it.
 *
 * @param reader the reading half
 * @param writer the writing half
 */
public record StreamConnection(StreamReader reader, StreamWriter writer) implements AutoCloseable {
    /** Closes the connection ({@link StreamWriter#close()}); does not wait. */
    @Override
    public void close() {
        writer.close();
    }
}
