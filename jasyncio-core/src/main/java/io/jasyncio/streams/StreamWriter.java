package io.jasyncio.streams;

import io.jasyncio.Asyncio;
import io.jasyncio.EventLoop;
import io.jasyncio.net.StreamProtocol;
import io.jasyncio.net.Transport;
import io.jasyncio.net.WriteTransport;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import javax.net.ssl.SSLContext;

/**
 * The writing half of a stream connection (asyncio's {@code StreamWriter}): writes go straight to
 * the transport, which sends what the kernel takes and buffers the rest; {@link #drain()} waits
 * until that buffer is back under the transport's low-water mark.
 *
 * <pre>{@code
 * writer.write(reply);
 * writer.drain();          // waits only if the peer reads slower than we write
 * }</pre>
 *
 * <p><b>The hard bound.</b> asyncio's writer never refuses a write: a producer that never calls
 * {@code drain()} against a peer that never reads grows the buffer until memory runs out. With
 * {@link #setHardLimit(int)} a write that would take the transport's buffer above the bound
 * throws {@link WriteBufferFullException} and writes nothing, so memory stays bounded and no byte
 * is lost (the caller still has the refused bytes). Code that drains after each write only meets
 * it when a single write is larger than the bound.
 *
 * <p>Every method must be called on the connection's loop. {@code drain}, {@code waitClosed} and
 * {@code startTls} wait, so they must be called from a task.
 */
public final class StreamWriter {
    private WriteTransport transport;
    private final FlowControl flow;
    private final StreamReader reader;
    private int hardLimit = Integer.MAX_VALUE;

    /**
     * A writer over {@code transport}.
     *
     * @param transport the transport to write to
     * @param flow the transport's protocol, whose flow control {@link #drain()} waits on
     * @param readerOrNull the connection's reader, whose failure {@link #drain()} reports; or null
     */
    public StreamWriter(WriteTransport transport, FlowControl flow, StreamReader readerOrNull) {
        this.transport = Objects.requireNonNull(transport, "transport");
        this.flow = Objects.requireNonNull(flow, "flow");
        this.reader = readerOrNull;
    }

    /** {@return the transport written to (after {@link #startTls}, the TLS one)} */
    public WriteTransport transport() {
        return transport;
    }

    /**
     * Writes the bytes: sends what the kernel takes now, buffers the rest. Never waits. The array
     * is not kept.
     *
     * @param data the bytes
     * @throws WriteBufferFullException if a {@linkplain #setHardLimit hard limit} is set and the
     *     write would exceed it; nothing is written
     */
    public void write(byte[] data) {
        write(data, 0, data.length);
    }

    /**
     * Writes {@code len} bytes of {@code data} from {@code off}; see {@link #write(byte[])}.
     *
     * @param data the array
     * @param off the first byte
     * @param len how many bytes
     * @throws WriteBufferFullException if the write would exceed the hard limit; nothing is written
     */
    public void write(byte[] data, int off, int len) {
        Objects.checkFromIndexSize(off, len, data.length);
        checkHardLimit(len);
        transport.write(data, off, len);
    }

    /**
     * Writes each array in turn. With a hard limit, all or nothing: if their total would exceed
     * it, none is written.
     *
     * @param chunks the arrays
     * @throws WriteBufferFullException if the writes would exceed the hard limit
     */
    public void writelines(Iterable<byte[]> chunks) {
        if (hardLimit == Integer.MAX_VALUE) {
            transport.writelines(chunks);
            return;
        }
        List<byte[]> all = new ArrayList<>();
        long total = 0;
        for (byte[] c : chunks) {
            all.add(c);
            total += c.length;
        }
        checkHardLimit(total);
        transport.writelines(all);
    }

    /**
     * Closes the sending direction once buffered data is sent (a half-close); the peer may still
     * send and this side still reads.
     *
     * @throws UnsupportedOperationException if the transport cannot (TLS): see {@link #canWriteEof()}
     */
    public void writeEof() {
        transport.writeEof();
    }

    /** {@return true if {@link #writeEof()} is supported (TCP and Unix sockets, not TLS)} */
    public boolean canWriteEof() {
        return transport.canWriteEof();
    }

    /**
     * Closes the connection: buffered data is still sent, then the transport closes. Does not wait:
     * see {@link #waitClosed()}. Idempotent.
     */
    public void close() {
        transport.close();
    }

    /** {@return true once the connection is closing or closed} */
    public boolean isClosing() {
        return transport.isClosing();
    }

    /**
     * Waits until the connection is closed (by either side). Mirrors {@code wait_closed}.
     *
     * <p>A cancellation point: if cancelled, nothing changes.
     *
     * @throws IOException the failure the connection was lost with (any exception, unchanged)
     */
    public void waitClosed() throws IOException {
        flow.waitClosed(this);
    }

    /**
     * Information about the connection by name ({@link io.jasyncio.net.ExtraInfo}: peer and local
     * address, socket, TLS session...), or null.
     *
     * @param name the key
     * @return the value, or null
     */
    public Object getExtraInfo(String name) {
        return transport.getExtraInfo(name);
    }

    /**
     * Like {@link #getExtraInfo(String)}, typed, with a default.
     *
     * @param name the key
     * @param type the value's type
     * @param defaultValue returned when absent
     * @param <T> the value's type
     * @return the value or {@code defaultValue}
     */
    public <T> T getExtraInfo(String name, Class<T> type, T defaultValue) {
        return transport.getExtraInfo(name, type, defaultValue);
    }

    /**
     * Waits until it is appropriate to write again: until the transport's buffer is at or below its
     * low-water mark if it went above the high-water mark ({@link WriteTransport#setWriteBufferLimits}),
     * at once otherwise. Mirrors {@code drain()}; any number of tasks may drain at once.
     *
     * <p>A cancellation point: if cancelled, what was written stays buffered and is still sent.
     *
     * @throws IOException the connection's failure: the reader's exception if it has one, or
     *     {@link java.net.SocketException} "Connection lost" once the connection is gone (any
     *     exception is thrown unchanged)
     */
    public void drain() throws IOException {
        if (reader != null) {
            Exception exc = reader.exception();
            if (exc != null) {
                throw StreamReader.<IOException>sneaky(exc);
            }
        }
        if (transport.isClosing()) {
            // Let connectionLost run first, so that a write-and-drain loop on a closed
            // connection sees the failure instead of spinning (asyncio does the same).
            Asyncio.sleep(0);
        }
        flow.drainHelper();
    }

    /**
     * Upgrades the connection to TLS in place (asyncio's {@code start_tls}): drains, runs the
     * handshake through {@link EventLoop#startTls}, then reads and writes through the TLS
     * transport. The side is the server's if this writer belongs to a server's connection.
     *
     * <p>A cancellation point: if cancelled (or the handshake fails), the connection is closed.
     *
     * @param context the TLS context
     * @param serverHostname the name to verify and send as SNI (client side); null for none
     * @param handshakeTimeout seconds the handshake may take
     * @throws IOException if the handshake fails ({@link javax.net.ssl.SSLException}) or the
     *     connection is lost
     * @throws IllegalStateException if the transport is not bidirectional or the flow control is
     *     not the connection's protocol
     */
    public void startTls(SSLContext context, String serverHostname, double handshakeTimeout) throws IOException {
        if (!(transport instanceof Transport t)) {
            throw new IllegalStateException("startTls needs a bidirectional transport, not " + transport);
        }
        if (!(flow instanceof StreamProtocol protocol)) {
            throw new IllegalStateException("startTls needs the connection's protocol as flow control, not " + flow);
        }
        boolean serverSide = flow instanceof StreamReaderProtocol p && p.isServerSide();
        drain();
        Transport tls = EventLoop.getRunningLoop().startTls(t, protocol, context, serverSide, serverHostname,
                handshakeTimeout);
        transport = tls;
        if (flow instanceof StreamReaderProtocol p) {
            p.replaceWriter(this);
        }
    }

    /**
     * Sets a hard bound on the transport's write buffer: a write that would take it above
     * {@code maxBufferedBytes} throws {@link WriteBufferFullException} and writes nothing. The
     * check counts the whole write as if none of it could be sent at once, so a single write must
     * not be larger than the bound. Off by default, as in asyncio.
     *
     * @param maxBufferedBytes the bound, positive; or -1 to turn it off
     * @throws IllegalArgumentException if {@code maxBufferedBytes} is 0 or below -1
     */
    public void setHardLimit(int maxBufferedBytes) {
        if (maxBufferedBytes == -1) {
            hardLimit = Integer.MAX_VALUE;
            return;
        }
        if (maxBufferedBytes <= 0) {
            throw new IllegalArgumentException("hard limit must be positive (or -1 for none): " + maxBufferedBytes);
        }
        hardLimit = maxBufferedBytes;
    }

    /** {@return the hard bound set with {@link #setHardLimit}, or -1 for none} */
    public int hardLimit() {
        return hardLimit == Integer.MAX_VALUE ? -1 : hardLimit;
    }

    private void checkHardLimit(long len) {
        if (hardLimit != Integer.MAX_VALUE) {
            int buffered = transport.getWriteBufferSize();
            if (buffered + len > hardLimit) {
                throw new WriteBufferFullException(buffered, len, hardLimit);
            }
        }
    }

    @Override
    public String toString() {
        return "StreamWriter transport=" + transport + (reader == null ? "" : " reader=" + reader);
    }
}
