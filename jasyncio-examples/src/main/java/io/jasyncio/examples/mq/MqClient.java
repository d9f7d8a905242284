package io.jasyncio.examples.mq;

import io.jasyncio.streams.StreamConnection;
import io.jasyncio.streams.StreamReader;
import io.jasyncio.streams.StreamWriter;
import io.jasyncio.streams.Streams;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * A client of the {@code mq} broker: connects, names the channel it listens to (the first frame),
 * then publishes messages and receives those of its channel. {@code mq send}, {@code mq listen}
 * and the demo use it. Call from a task on one loop.
 *
 * <pre>{@code
 * try (MqClient c = MqClient.connect("127.0.0.1", 25000, "/topic/news")) {
 *     c.publish("/topic/news", "hello".getBytes(UTF_8));
 *     byte[] msg = c.receive();          // "hello": we listen to that channel too
 * }
 * }</pre>
 */
public final class MqClient implements AutoCloseable {
    private final StreamConnection connection;
    private final String channel;
    private final int maxFrame;

    private MqClient(StreamConnection connection, String channel, int maxFrame) {
        this.connection = connection;
        this.channel = channel;
        this.maxFrame = maxFrame;
    }

    /**
     * Connects and subscribes to {@code listenTo}, accepting frames up to
     * {@link Frames#DEFAULT_MAX_FRAME}.
     *
     * <p>A cancellation point: if cancelled, nothing stays open.
     *
     * @param host the broker's host
     * @param port the broker's port
     * @param listenTo the channel to listen to ({@link Broker#SINK} for a pure sender)
     * @return the client
     * @throws IOException if the connection fails
     */
    public static MqClient connect(String host, int port, String listenTo) throws IOException {
        return connect(host, port, listenTo, Frames.DEFAULT_MAX_FRAME);
    }

    /**
     * Connects and subscribes to {@code listenTo}.
     *
     * <p>A cancellation point: if cancelled, nothing stays open.
     *
     * @param host the broker's host
     * @param port the broker's port
     * @param listenTo the channel to listen to ({@link Broker#SINK} for a pure sender)
     * @param maxFrame the longest frame {@link #receive()} accepts
     * @return the client
     * @throws IOException if the connection fails
     * @throws IllegalArgumentException if the channel name is empty, too long or not valid Unicode
     */
    public static MqClient connect(String host, int port, String listenTo, int maxFrame) throws IOException {
        byte[] name = Frames.encodeChannel(Objects.requireNonNull(listenTo, "listenTo"));
        StreamConnection c = Streams.openConnection(host, port);
        try {
            Frames.write(c.writer(), name);
            c.writer().drain();
        } catch (IOException | RuntimeException | Error e) {
            c.close();
            throw e;
        }
        return new MqClient(c, listenTo, maxFrame);
    }

    /** @return the channel this client listens to */
    public String channel() {
        return channel;
    }

    /**
     * Publishes a message: a channel frame and a payload frame, then drains.
     *
     * <p>A cancellation point: if cancelled while draining, the message is already written and is
     * still sent.
     *
     * @param channel where to publish
     * @param payload the message
     * @throws IOException if the connection is lost
     * @throws IllegalArgumentException if the channel name is empty, too long or not valid Unicode
     */
    public void publish(String channel, byte[] payload) throws IOException {
        byte[] name = Frames.encodeChannel(channel);
        StreamWriter w = connection.writer();
        Frames.write(w, name);
        Frames.write(w, payload);
        w.drain();
    }

    /**
     * Publishes a text message, in UTF-8.
     *
     * <p>A cancellation point, as {@link #publish(String, byte[])}.
     *
     * @param channel where to publish
     * @param text the message
     * @throws IOException if the connection is lost
     */
    public void publish(String channel, String text) throws IOException {
        publish(channel, text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Waits for the next message of the channel this client listens to.
     *
     * <p>A cancellation point: if cancelled while waiting for a message to begin, nothing is
     * consumed; cancelled halfway through one, the connection is out of step: close it.
     *
     * @return the payload, or null if the broker closed the connection
     * @throws MqProtocolException if the broker sent a frame above the bound or the stream ended inside one
     * @throws IOException if the connection fails
     */
    public byte[] receive() throws IOException {
        return Frames.read(connection.reader(), maxFrame, "message");
    }

    /**
     * Says this client will publish nothing more (a half-close), then waits until the broker has
     * read everything and closed the connection, discarding any message that still arrives. When
     * it returns, every message published went through the broker's routing.
     *
     * <p>A cancellation point: if cancelled, the connection stays half-closed; close it.
     *
     * @throws IOException if the connection fails
     */
    public void finish() throws IOException {
        StreamWriter w = connection.writer();
        w.writeEof();
        while (connection.reader().read(64 * 1024).length > 0) {
            // a message of our own channel: not wanted any more
        }
        w.close();
        w.waitClosed();
    }

    /** @return the connection's reader (for tests that speak the protocol by hand) */
    public StreamReader reader() {
        return connection.reader();
    }

    /** @return the connection's writer */
    public StreamWriter writer() {
        return connection.writer();
    }

    /** Closes the connection (what is buffered is still sent). Does not wait. */
    @Override
    public void close() {
        connection.close();
    }
}
