package io.jasyncio.streams;

import io.jasyncio.EventLoop;
import io.jasyncio.ExceptionContext;
import io.jasyncio.Task;
import io.jasyncio.net.BufferedProtocol;
import io.jasyncio.net.ExtraInfo;
import io.jasyncio.net.Protocol;
import io.jasyncio.net.Transport;

import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * The protocol between a transport and a {@link StreamReader} (asyncio's
 * {@code StreamReaderProtocol}): received bytes go to the reader, the end of the stream and a
 * failure too, and it provides a {@link StreamWriter}'s flow control.
 *
 * <p>With a {@link ClientConnectedHandler} (a server's connection), {@code connectionMade} makes
 * the connection's writer and runs the handler as a new task. When the handler throws, the
 * exception goes to the loop's exception handler (message "Unhandled exception in
 * client_connected_cb") and the transport is closed; when it is cancelled, the transport is
 * closed; when it returns, the connection stays as the handler left it (asyncio 3.12+).
 *
 * <p>It is both a {@link Protocol} and a {@link BufferedProtocol}. A transport that reads into
 * the buffer it is given gets one no larger than the reader's remaining room, so the reader's
 * buffer bound holds exactly (see {@link StreamReader}).
 *
 * <p>Like its reader, a protocol needs no loop to be made: it works on the loop of the transport
 * it is connected to, and its reader binds to the loop of its first waiting read (asyncio's takes
 * the running loop when constructed; see docs/differences.md).
 */
public class StreamReaderProtocol extends FlowControl implements Protocol, BufferedProtocol {
    /**
     * Scratch buffers for transports that read into the protocol's buffer: one per loop (its
     * callbacks run one at a time, and a transport uses the buffer only between getBuffer and
     * bufferUpdated). Direct, so that a socket read fills it without the JDK's own bounce copy;
     * the bytes then move into an array of exactly the size read, which the reader adopts.
     */
    private static final int SCRATCH_SIZE = 64 * 1024;

    private final StreamReader reader;
    private final ClientConnectedHandler handler;
    private Transport transport;
    private StreamWriter writer;
    private Task<?> task;
    private boolean overSsl;
    private ByteBuffer scratch;

    /**
     * A protocol feeding {@code reader}, for a connection this side opened.
     *
     * @param reader the reader to feed
     */
    public StreamReaderProtocol(StreamReader reader) {
        this(reader, null);
    }

    /**
     * A protocol feeding {@code reader} that runs {@code handler} once connected (a server's
     * connection).
     *
     * @param reader the reader to feed
     * @param handler what to run as a task when the connection is made, or null
     */
    public StreamReaderProtocol(StreamReader reader, ClientConnectedHandler handler) {
        this.reader = Objects.requireNonNull(reader, "reader");
        this.handler = handler;
    }

    /** {@return the reader this protocol feeds} */
    public StreamReader reader() {
        return reader;
    }

    /** True if this protocol serves an accepted connection (it has a handler). */
    boolean isServerSide() {
        return handler != null;
    }

    /** The task running the handler, or null. */
    Task<?> handlerTask() {
        return task;
    }

    /** After {@link StreamWriter#startTls}: the writer's new transport becomes this protocol's. */
    void replaceWriter(StreamWriter w) {
        Transport t = (Transport) w.transport();
        this.writer = w;
        this.transport = t;
        this.overSsl = t.getExtraInfo(ExtraInfo.SSL_CONTEXT) != null;
        reader.replaceTransport(t);
    }

    @Override
    public void connectionMade(Transport transport) {
        this.transport = transport;
        reader.setTransport(transport);
        overSsl = transport.getExtraInfo(ExtraInfo.SSL_CONTEXT) != null;
        if (handler != null) {
            StreamWriter w = new StreamWriter(transport, this, reader);
            this.writer = w;
            EventLoop loop = EventLoop.getRunningLoop();
            Object peer = transport.getExtraInfo(ExtraInfo.PEERNAME);
            Task<?> t = loop.createTask(peer == null ? null : "stream " + peer,
                    () -> handler.handle(reader, w));
            task = t;
            t.addDoneCallback(f -> {
                if (f.isCancelled()) {
                    transport.close();
                    return;
                }
                Throwable exc = f.exception();
                if (exc != null) {
                    loop.callExceptionHandler(ExceptionContext.builder("Unhandled exception in client_connected_cb")
                            .exception(exc).future(f).extra("transport", transport).build());
                    transport.close();
                }
            });
        }
    }

    @Override
    public void connectionLost(Exception exc) {
        if (exc == null) {
            reader.feedEof();
        } else {
            reader.setException(exc);
        }
        super.connectionLost(exc);
        writer = null;
        task = null;
        transport = null;
    }

    @Override
    public void dataReceived(byte[] data) {
        reader.feedOwned(data, data.length);
    }

    @Override
    public boolean eofReceived() {
        reader.feedEof();
        // Over TLS a half-close is not possible: let the transport close itself.
        return !overSsl;
    }

    /**
     * A buffer for the transport to read into: at most as many bytes as the reader takes before
     * it pauses, so it never holds more than its bound.
     */
    @Override
    public ByteBuffer getBuffer(int sizeHint) {
        ByteBuffer s = scratch;
        if (s == null) {
            s = scratchFor(EventLoop.getRunningLoop());
            scratch = s;
        }
        int room = Math.max(1, Math.min(reader.room(), SCRATCH_SIZE));
        s.clear().limit(room);
        return s;
    }

    @Override
    public void bufferUpdated(int nbytes) {
        byte[] data = new byte[nbytes];
        scratch.get(0, data);
        reader.feedOwned(data, nbytes);
    }

    /** The loop's read buffer for stream protocols: one per loop, as only one callback runs at a time. */
    private record Scratch(ByteBuffer buffer) {}

    private static ByteBuffer scratchFor(EventLoop loop) {
        return io.jasyncio.internal.LoopAccess.ops().service(loop, Scratch.class,
                () -> new Scratch(ByteBuffer.allocateDirect(SCRATCH_SIZE))).buffer();
    }
}
