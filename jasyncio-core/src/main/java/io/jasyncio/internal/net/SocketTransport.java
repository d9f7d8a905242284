package io.jasyncio.internal.net;

import io.jasyncio.AsyncFuture;
import io.jasyncio.EventLoop;
import io.jasyncio.ExceptionContext;
import io.jasyncio.TimerHandle;
import io.jasyncio.internal.LoopAccess;
import io.jasyncio.net.BufferedProtocol;
import io.jasyncio.net.ExtraInfo;
import io.jasyncio.net.Protocol;
import io.jasyncio.net.StreamProtocol;
import io.jasyncio.net.Transport;
import java.io.IOException;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.Objects;

/**
 * A transport over a connected, non-blocking {@link SocketChannel} (TCP or Unix): asyncio's
 * {@code _SelectorSocketTransport}. Reads go through the loop's shared buffer into a fresh array
 * for a {@link Protocol}, or straight into a {@link BufferedProtocol}'s buffer. A write is tried
 * at once; what the kernel does not take is copied into the write buffer, and sent as the socket
 * becomes writable.
 *
 * <p>An accepted connection also enforces its server's {@code idleTimeout} and
 * {@code firstByteTimeout} ({@link io.jasyncio.net.ServerOptions}) on the loop's timers. The idle
 * timer is not re-armed per read: each byte received or sent only notes the loop time, and the
 * one timer, when it fires, moves itself to the deadline that note implies, so a busy connection
 * costs no timer churn.
 */
final class SocketTransport implements Transport, NetState.Resource {
    private static final System.Logger LOG = System.getLogger("io.jasyncio.net");
    private final EventLoop loop;
    private final NetState net;
    private final SocketChannel channel;
    private final ServerImpl server;
    private final Throwable site;
    private StreamProtocol protocol;
    private BufferedProtocol buffered;

    private final ArrayDeque<ByteBuffer> pending = new ArrayDeque<>();
    private int pendingBytes;
    private int high = DEFAULT_HIGH_WATER;
    private int low = DEFAULT_HIGH_WATER / 4;
    private boolean protocolPaused;
    private boolean writing;

    private boolean closing;
    private boolean lost;
    /** Aborted or failed: connectionLost is coming, nothing more is sent. */
    private boolean aborted;
    private boolean eof;
    private boolean paused;
    private boolean reading;
    private boolean started;
    private final Runnable onReadable = this::readReady;
    private final Runnable onWritable = this::writeReady;

    /** Seconds of no traffic after which an accepted connection is closed; 0 for none. */
    private double idleSeconds;
    /** Loop time of the last byte received or sent (or of the start, or of reading resumed). */
    private double lastActivity;
    private TimerHandle idleTimer;
    private TimerHandle firstByteTimer;

    SocketTransport(EventLoop loop, SocketChannel channel, StreamProtocol protocol, ServerImpl server) {
        this.loop = loop;
        this.net = NetState.of(loop);
        this.channel = channel;
        this.server = server;
        this.site = io.jasyncio.internal.LoopAccess.ops().creationSite(loop, "transport created");
        setProtocol(protocol);
        net.add(this);
        if (server != null) {
            server.attach(this);
        }
    }

    /**
     * Schedules asyncio's start sequence: {@code connectionMade}, then reading, then the waiter.
     *
     * @param waiter completed once the protocol knows of the connection, or null
     */
    void start(AsyncFuture<Void> waiter) {
        loop.callSoon(() -> {
            if (lost || closing) {
                if (waiter != null && !waiter.isDone()) {
                    waiter.setException(new java.nio.channels.ClosedChannelException());
                }
                return;
            }
            try {
                protocol.connectionMade(this);
            } catch (RuntimeException | Error e) {
                fatal(e, "connectionMade failed");
                if (waiter != null && !waiter.isDone()) {
                    waiter.setException(e);
                }
                return;
            }
            started = true;
            if (server != null && !closing) {
                armTimeouts(server.options());
            }
            if (!closing && !paused) {
                startReading();
            }
            if (waiter != null && !waiter.isDone()) {
                waiter.setResult(null);
            }
        });
    }

    // ---------------------------------------------------------------- reading

    private void startReading() {
        if (!reading && !lost) {
            reading = true;
            loop.addReader(channel, onReadable);
        }
    }

    private void stopReading() {
        if (reading) {
            reading = false;
            loop.removeReader(channel);
        }
    }

    private void readReady() {
        if (closing || lost) {
            return;
        }
        try {
            if (buffered != null) {
                readIntoProtocol();
            } else {
                readArray();
            }
        } catch (IOException e) {
            fatal(e, null);
        } catch (RuntimeException | Error e) {
            fatal(e, "Fatal error: protocol.dataReceived() call failed.");
        }
    }

    private void readArray() throws IOException {
        ByteBuffer b = net.readBuffer;
        b.clear();
        int n = channel.read(b);
        if (n > 0) {
            received();
            byte[] data = new byte[n];
            b.flip();
            b.get(data);
            ((Protocol) protocol).dataReceived(data);
        } else if (n < 0) {
            readEof();
        }
    }

    private void readIntoProtocol() throws IOException {
        ByteBuffer b = buffered.getBuffer(-1);
        if (b == null || !b.hasRemaining()) {
            throw new IllegalStateException("getBuffer() returned an empty buffer");
        }
        int n = channel.read(b);
        if (n > 0) {
            received();
            buffered.bufferUpdated(n);
        } else if (n < 0) {
            readEof();
        }
    }

    private void readEof() {
        stopReading();
        boolean keepOpen;
        try {
            keepOpen = protocol.eofReceived();
        } catch (RuntimeException | Error e) {
            fatal(e, "Fatal error: protocol.eofReceived() call failed.");
            return;
        }
        if (!keepOpen) {
            close();
        }
    }

    @Override
    public boolean isReading() {
        return !paused && !closing;
    }

    @Override
    public void pauseReading() {
        LoopAccess.ops().checkThread(loop, "pause a transport");
        if (closing || paused) {
            return;
        }
        paused = true;
        stopReading();
    }

    @Override
    public void resumeReading() {
        LoopAccess.ops().checkThread(loop, "resume a transport");
        if (closing || !paused) {
            return;
        }
        paused = false;
        touch();
        if (started) {
            startReading();
        }
    }

    // ---------------------------------------------------------------- writing

    @Override
    public void write(byte[] data, int off, int len) {
        Objects.checkFromIndexSize(off, len, data.length);
        write(ByteBuffer.wrap(data, off, len));
    }

    @Override
    public void write(ByteBuffer data) {
        LoopAccess.ops().checkThread(loop, "write to a transport");
        if (eof) {
            throw new IllegalStateException("Cannot call write() after writeEof()");
        }
        if (!data.hasRemaining() || lost || aborted) {
            // asyncio drops writes to a lost connection silently (and warns after a few); the
            // protocol has been told through connectionLost.
            data.position(data.limit());
            return;
        }
        if (pendingBytes == 0) {
            // Also after close() while connectionLost is still to come: asyncio sends these too,
            // and the pending close waits for what could not be sent at once.
            try {
                if (channel.write(data) > 0) {
                    touch();
                }
            } catch (IOException e) {
                fatal(e, null);
                return;
            }
            if (!data.hasRemaining()) {
                return;
            }
        }
        ByteBuffer copy = ByteBuffer.allocate(data.remaining());
        copy.put(data).flip();
        pending.addLast(copy);
        pendingBytes += copy.remaining();
        if (!writing) {
            writing = true;
            loop.addWriter(channel, onWritable);
        }
        maybePauseProtocol();
    }

    private void writeReady() {
        if (lost) {
            return;
        }
        try {
            ByteBuffer[] bufs = pending.toArray(new ByteBuffer[0]);
            long n = channel.write(bufs);
            pendingBytes -= (int) n;
            if (n > 0) {
                touch();
            }
            while (!pending.isEmpty() && !pending.peekFirst().hasRemaining()) {
                pending.pollFirst();
            }
        } catch (IOException e) {
            fatal(e, null);
            return;
        }
        maybeResumeProtocol();
        if (pendingBytes == 0) {
            writing = false;
            loop.removeWriter(channel);
            if (closing) {
                callConnectionLost(null);
            } else if (eof) {
                shutdownOutput();
            }
        }
    }

    private void maybePauseProtocol() {
        if (!protocolPaused && pendingBytes > high) {
            protocolPaused = true;
            try {
                protocol.pauseWriting();
            } catch (RuntimeException e) {
                report("protocol.pauseWriting() failed", e);
            }
        }
    }

    private void maybeResumeProtocol() {
        if (protocolPaused && pendingBytes <= low) {
            protocolPaused = false;
            try {
                protocol.resumeWriting();
            } catch (RuntimeException e) {
                report("protocol.resumeWriting() failed", e);
            }
        }
    }

    @Override
    public void writeEof() {
        LoopAccess.ops().checkThread(loop, "write EOF to a transport");
        if (closing || eof) {
            return;
        }
        eof = true;
        if (pendingBytes == 0) {
            shutdownOutput();
        }
    }

    private void shutdownOutput() {
        try {
            channel.shutdownOutput();
        } catch (IOException e) {
            fatal(e, null);
        }
    }

    @Override
    public boolean canWriteEof() {
        return true;
    }

    @Override
    public int getWriteBufferSize() {
        return pendingBytes;
    }

    @Override
    public void setWriteBufferLimits(int high, int low) {
        if (high < 0) {
            high = low < 0 ? DEFAULT_HIGH_WATER : 4 * low;
        }
        if (low < 0) {
            low = high / 4;
        }
        if (low > high) {
            throw new IllegalArgumentException("high (" + high + ") must be >= low (" + low + ")");
        }
        this.high = high;
        this.low = low;
        maybePauseProtocol();
        maybeResumeProtocol();
    }

    @Override
    public WriteBufferLimits getWriteBufferLimits() {
        return new WriteBufferLimits(low, high);
    }

    // ---------------------------------------------------------------- server timeouts

    private void armTimeouts(io.jasyncio.net.ServerOptions o) {
        if (o.firstByteTimeout() != null) {
            double s = seconds(o.firstByteTimeout());
            firstByteTimer = loop.callLater(s, () -> {
                firstByteTimer = null;
                timedOut("no byte received within " + text(s) + " s of connecting");
            });
        }
        if (o.idleTimeout() != null) {
            idleSeconds = seconds(o.idleTimeout());
            lastActivity = loop.time();
            idleTimer = loop.callLater(idleSeconds, this::idleCheck);
        }
    }

    private void received() {
        if (firstByteTimer != null) {
            firstByteTimer.cancel();
            firstByteTimer = null;
        }
        touch();
    }

    /** A byte moved (or the server resumed reading): the idle period starts again. */
    private void touch() {
        if (idleSeconds > 0) {
            lastActivity = loop.time();
        }
    }

    /**
     * The idle timer fired: close if nothing moved for the whole period, else move the timer to
     * the deadline the last activity implies. While the server holds the connection up (reading
     * paused by its protocol, nothing to send), the period does not run.
     */
    private void idleCheck() {
        idleTimer = null;
        if (lost || aborted) {
            return;
        }
        double now = loop.time();
        if (paused && pendingBytes == 0) {
            lastActivity = now;
        }
        double due = lastActivity + idleSeconds;
        if (now >= due) {
            timedOut("idle for " + text(idleSeconds) + " s (no byte received or sent)");
        } else {
            idleTimer = loop.callAt(due, this::idleCheck);
        }
    }

    /**
     * A server timeout expired: the connection is closed at once (what is still buffered is
     * dropped: nothing moved) and the protocol's {@code connectionLost} gets a
     * {@link SocketTimeoutException} saying which timeout fired.
     */
    private void timedOut(String why) {
        if (lost || aborted) {
            return;
        }
        SocketTimeoutException e = new SocketTimeoutException("connection closed by the server: " + why);
        LOG.log(System.Logger.Level.DEBUG, () -> "closing " + this + ": " + why);
        forceClose(e, false);
    }

    private void cancelTimeouts() {
        if (idleTimer != null) {
            idleTimer.cancel();
            idleTimer = null;
        }
        if (firstByteTimer != null) {
            firstByteTimer.cancel();
            firstByteTimer = null;
        }
        idleSeconds = 0;
    }

    private static double seconds(java.time.Duration d) {
        return d.getSeconds() + d.getNano() / 1e9;
    }

    private static String text(double s) {
        return s == Math.rint(s) && s < 1e15 ? Long.toString((long) s) : Double.toString(s);
    }

    // ---------------------------------------------------------------- closing

    @Override
    public void close() {
        LoopAccess.ops().checkThread(loop, "close a transport");
        if (closing) {
            return;
        }
        closing = true;
        stopReading();
        if (pendingBytes == 0) {
            loop.callSoon(() -> {
                if (pendingBytes == 0) {
                    callConnectionLost(null);
                }  // else a write came after close(): writeReady ends the connection once it is sent
            });
        }
    }

    @Override
    public boolean isClosing() {
        return closing;
    }

    @Override
    public void abort() {
        LoopAccess.ops().checkThread(loop, "abort a transport");
        forceClose(null, true);
    }

    /**
     * An I/O error or a failing protocol callback: close at once and tell the protocol. An error the
     * loop cannot go on after (out of memory) is rethrown for the loop to stop on; any other
     * {@link Error} (a class that cannot load, a stack overflow) closes this transport only, and the
     * protocol's {@code connectionLost} gets it wrapped in an {@link IllegalStateException}.
     */
    private void fatal(Throwable e, String message) {
        if (io.jasyncio.internal.Failures.isFatal(e)) {
            throw (Error) e;
        }
        if (e instanceof IOException && message == null) {
            // A reset, a broken pipe: the peer's doing, not a bug. asyncio logs these at debug
            // level only; the protocol learns of them through connectionLost.
            LOG.log(System.Logger.Level.DEBUG, () -> this + ": " + e);
        } else {
            report(message != null ? message : "Fatal error on transport", e);
        }
        forceClose(e instanceof Exception x ? x : new IllegalStateException(message, e), false);
    }

    private void report(String message, Throwable e) {
        loop.callExceptionHandler(ExceptionContext.builder(message).exception(e)
                .extra("transport", this).extra("protocol", protocol).build());
    }

    private void forceClose(Exception exc, boolean reset) {
        if (lost || aborted) {
            return;
        }
        aborted = true;
        if (!pending.isEmpty()) {
            pending.clear();
            pendingBytes = 0;
        }
        if (writing) {
            writing = false;
            loop.removeWriter(channel);
        }
        if (reset) {
            try {
                // SO_LINGER 0: close sends a reset, as an abort should.
                channel.setOption(java.net.StandardSocketOptions.SO_LINGER, 0);
            } catch (IOException | UnsupportedOperationException ignored) {
                // a Unix socket has no linger: a plain close it is
            }
        }
        closing = true;
        stopReading();
        loop.callSoon(() -> callConnectionLost(exc));
    }

    private void callConnectionLost(Exception exc) {
        if (lost) {
            return;
        }
        lost = true;
        closing = true;
        stopReading();
        cancelTimeouts();
        if (writing) {
            writing = false;
            loop.removeWriter(channel);
        }
        try {
            if (started) {
                protocol.connectionLost(exc);
            }
        } finally {
            release();
        }
    }

    private void release() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // already failing or closed
        }
        net.remove(this);
        if (server != null) {
            server.detach(this);
        }
    }

    @Override
    public void forceRelease() {
        lost = true;
        try {
            channel.close();
        } catch (IOException ignored) {
            // the loop is closing
        }
    }

    @Override
    public Throwable creationSite() {
        return site;
    }

    // ---------------------------------------------------------------- the rest

    @Override
    public void setProtocol(StreamProtocol p) {
        this.protocol = Objects.requireNonNull(p, "protocol");
        if (p instanceof BufferedProtocol b) {
            this.buffered = b;
        } else if (p instanceof Protocol) {
            this.buffered = null;
        } else {
            throw new IllegalArgumentException("a stream protocol must implement Protocol or BufferedProtocol: " + p);
        }
    }

    @Override
    public StreamProtocol getProtocol() {
        return protocol;
    }

    @Override
    public Object getExtraInfo(String name) {
        try {
            return switch (name) {
                case ExtraInfo.PEERNAME -> channel.isOpen() ? channel.getRemoteAddress() : null;
                case ExtraInfo.SOCKNAME -> channel.isOpen() ? channel.getLocalAddress() : null;
                case ExtraInfo.SOCKET -> channel;
                default -> null;
            };
        } catch (IOException e) {
            return null;
        }
    }

    SocketChannel channel() {
        return channel;
    }

    @Override
    public String toString() {
        SocketAddress peer = null;
        try {
            peer = channel.isOpen() ? channel.getRemoteAddress() : null;
        } catch (IOException ignored) {
            // closed meanwhile
        }
        return "SocketTransport[" + (lost ? "closed" : closing ? "closing" : "open")
                + (peer != null ? ", peer=" + peer : "") + "]";
    }
}
