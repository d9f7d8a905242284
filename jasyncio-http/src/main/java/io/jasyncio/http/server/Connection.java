package io.jasyncio.http.server;

import io.jasyncio.AsyncFuture;
import io.jasyncio.EventLoop;
import io.jasyncio.TimerHandle;
import io.jasyncio.http.Headers;
import io.jasyncio.http.HttpParseException;
import io.jasyncio.http.HttpVersion;
import io.jasyncio.http.RequestHead;
import io.jasyncio.http.internal.h1.H1Parser;
import io.jasyncio.net.BufferedProtocol;
import io.jasyncio.net.ExtraInfo;
import io.jasyncio.net.Transport;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;

/**
 * One HTTP/1.1 connection on the protocol layer: bytes from the transport go through the
 * sans-I/O parser; each request head starts an {@link Exchange} (one task); pipelined requests
 * wait in {@link #pending} until the one before is answered. Reads go into the server's one
 * shared buffer, so an idle connection holds no read buffer. Everything here runs on the loop.
 */
final class Connection implements BufferedProtocol {
    private static final int T_NONE = 0;
    private static final int T_HEADER = 1;
    private static final int T_IDLE = 2;
    /** Reading the rest of a body its handler left unread, to keep the connection: closed silently if it stalls. */
    private static final int T_DRAIN = 3;

    final HttpServer core;
    private final H1Parser parser;
    private final Runnable onTimer = this::timerFired;
    Transport transport;
    private ByteBuffer pending;
    Exchange current;
    private boolean readPaused;
    boolean closed;
    boolean lost;
    private boolean peerEof;
    /** The previous request's body is being read and dropped (its response is sent); see {@link Exchange#canDrain}. */
    private boolean draining;
    private boolean sawHeadBytes;
    private TimerHandle timer;
    private double deadline;
    private double timerAt;
    private int timerKind;
    private boolean writePaused;
    private AsyncFuture<Void> drainWaiter;

    Connection(HttpServer core) {
        this.core = core;
        this.parser = H1Parser.forRequests(core.parserOptions);
    }

    EventLoop loop() {
        return core.loop;
    }

    SocketAddress peer() {
        Object p = transport == null ? null : transport.getExtraInfo(ExtraInfo.PEERNAME);
        return p instanceof SocketAddress a ? a : null;
    }

    // ---- protocol callbacks

    @Override
    public void connectionMade(Transport t) {
        transport = t;
        if (core.shuttingDown || core.connections.size() >= core.options.maxConnections()) {
            closed = true;
            t.write(core.head.refusal(503, "Service Unavailable: too many connections"));
            t.close();
            return;
        }
        core.connections.add(this);
        setTimer(T_HEADER, core.options.headerReadTimeout());
    }

    @Override
    public ByteBuffer getBuffer(int sizeHint) {
        return core.readBuffer.clear();
    }

    @Override
    public void bufferUpdated(int nbytes) {
        ByteBuffer b = core.readBuffer.flip();
        if (closed) {
            return;
        }
        if (current == null && !draining) {
            sawHeadBytes = true;
            if (timerKind == T_IDLE) {
                setTimer(T_HEADER, core.options.headerReadTimeout());
            }
        }
        if (pending != null) {
            pending = append(pending, b);
            process(pending);
        } else {
            process(b);
            if (b.hasRemaining() && !closed) {
                pending = ByteBuffer.allocate(Math.max(b.remaining(), 1024)).put(b).flip();
            }
        }
        if (pending != null && !pending.hasRemaining()) {
            pending = null;
        }
        updateReading();
    }

    private static ByteBuffer append(ByteBuffer to, ByteBuffer from) {
        if (to.capacity() - to.limit() < from.remaining()) {
            ByteBuffer bigger = ByteBuffer.allocate(Math.max(to.remaining() + from.remaining(), to.capacity() * 2));
            bigger.put(to).put(from).flip();
            return bigger;
        }
        int pos = to.position();
        to.position(to.limit()).limit(to.capacity());
        to.put(from);
        to.limit(to.position()).position(pos);
        return to;
    }

    @Override
    public boolean eofReceived() {
        peerEof = true;
        Exchange ex = current;
        if (ex == null) {
            if (pending == null) {
                close();
                return false;
            }
            return true; // an incomplete head waits in the parser: closed below when processing stops
        }
        if (!ex.requestDone) {
            ex.forceClose = true;
            ex.body.fail(new IOException("the client closed its side in the middle of the request body"));
        }
        return true;
    }

    @Override
    public void connectionLost(Exception exc) {
        lost = true;
        closed = true;
        cancelTimer();
        core.connections.remove(this);
        AsyncFuture<Void> w = drainWaiter;
        drainWaiter = null;
        if (w != null && !w.isDone()) {
            w.setException(new IOException("the client disconnected"));
        }
        Exchange ex = current;
        if (ex != null) {
            if (ex.task != null && !ex.task.isDone()) {
                core.orphans.add(ex);
            }
            ex.clientGone();
        }
    }

    @Override
    public void pauseWriting() {
        writePaused = true;
    }

    @Override
    public void resumeWriting() {
        writePaused = false;
        AsyncFuture<Void> w = drainWaiter;
        drainWaiter = null;
        if (w != null && !w.isDone()) {
            w.setResult(null);
        }
    }

    /** Waits while the transport's write buffer is over its high-water mark. A cancellation point. */
    void drain() throws IOException {
        if (lost) {
            throw new IOException("the client disconnected");
        }
        if (!writePaused) {
            return;
        }
        AsyncFuture<Void> w = drainWaiter;
        if (w == null) {
            w = core.loop.createFuture();
            drainWaiter = w;
        }
        w.await();
    }

    // ---- parsing

    /** Parses what {@code in} holds until it is used up or the current exchange's request is complete. */
    void process(ByteBuffer in) {
        while (!closed) {
            Exchange ex = current;
            if (ex != null && ex.requestDone) {
                return;
            }
            H1Parser.Event e;
            try {
                e = parser.next(in);
            } catch (HttpParseException x) {
                parseFailed(x);
                return;
            }
            switch (e) {
                case NEED_DATA -> {
                    if (peerEof && current == null) {
                        endOfInput();
                    }
                    return;
                }
                case HEAD -> onHead();
                case BODY -> {
                    if (current != null) {
                        current.body.feed(parser.body());
                    }
                }
                case END -> {
                    if (current != null) {
                        current.requestEnded();
                    } else if (draining) {
                        drained();
                    }
                }
                case UPGRADE -> {
                    parser.resumeHttp(); // upgrades are declined: the request is answered over HTTP
                    if (current != null) {
                        current.requestEnded();
                    } else if (draining) {
                        drained();
                    }
                }
                case CLOSED -> {
                    in.position(in.limit());
                    return;
                }
            }
        }
    }

    private void endOfInput() {
        try {
            parser.endOfInput();
            close();
        } catch (HttpParseException x) {
            close(); // a head cut off by the client's close: nobody to answer
        }
    }

    private void onHead() {
        RequestHead head = parser.requestHead();
        timerKind = T_NONE;
        sawHeadBytes = false;
        Exchange ex = new Exchange(this, head, parser.keepAlive(), parser.expectContinue(), parser.contentLength());
        current = ex;
        Headers h = head.headers();
        if (head.version() == HttpVersion.HTTP_1_1) {
            int host = h.indexOf("Host", 0);
            if (host < 0 || h.indexOf("Host", host + 1) >= 0) {
                refuse(400, host < 0 ? "Bad Request: an HTTP/1.1 request needs a Host header" : "Bad Request: several Host headers");
                return;
            }
        }
        if (parser.isChunked()) {
            String te = h.getAll("Transfer-Encoding").size() == 1 ? h.get("Transfer-Encoding").strip() : "";
            if (!te.equalsIgnoreCase("chunked")) {
                refuse(501, "Not Implemented: only the chunked transfer coding is supported");
                return;
            }
        }
        Request req;
        try {
            req = new Request(ex, head);
        } catch (IllegalArgumentException bad) {
            refuse(400, "Bad Request: malformed path: " + bad.getMessage());
            return;
        }
        ex.request = req;
        req.match = core.resolver.resolve(head.method(), req.path(), req);
        long limit = req.match.target().bodyLimit;
        if (parser.contentLength() > limit) {
            refuse(413, "Content Too Large: the body is over " + limit + " bytes");
            return;
        }
        parser.bodyLimit(limit);
        ex.start();
    }

    private void parseFailed(HttpParseException x) {
        Exchange ex = current;
        String text = x.getMessage();
        if (ex != null && !ex.requestDone) {
            ex.forceClose = true;
            ex.body.fail(new HttpException(x.status(), text));
            stopReading();
            return;
        }
        refuse(x.status(), io.jasyncio.http.internal.h1.H1Serializer.reasonPhrase(x.status()) + ": " + text);
    }

    /** Answers a refused request (no handler runs) and closes once it is sent. */
    void refuse(int status, String text) {
        if (closed) {
            return;
        }
        transport.write(core.head.refusal(status, text));
        current = null;
        close();
    }

    void close() {
        if (!closed) {
            closed = true;
            cancelTimer();
            transport.close();
        }
    }

    void abort() {
        if (!lost) {
            closed = true;
            cancelTimer();
            transport.abort();
        }
    }

    // ---- after a response

    /** The current exchange is answered: close, or go on with the next request. */
    void exchangeFinished(Exchange ex, boolean keepAlive) {
        if (current != ex) {
            return;
        }
        current = null;
        if (!keepAlive || closed || ex.forceClose) {
            close();
            return;
        }
        if (!ex.requestDone) {
            // The response kept the connection (Exchange.canDrain): read the rest of the body and drop it.
            draining = true;
            setTimer(T_DRAIN, core.options.bodyReadTimeout());
            if (pending != null) {
                ByteBuffer p = pending;
                process(p);
                if (pending == p && !p.hasRemaining()) {
                    pending = null;
                }
            }
            updateReading();
            return;
        }
        boolean hadPending = pending != null;
        if (hadPending) {
            // What follows is the next request (or part of its head): the header timeout runs.
            setTimer(T_HEADER, core.options.headerReadTimeout());
            sawHeadBytes = true;
            ByteBuffer p = pending;
            process(p);
            if (pending == p && !p.hasRemaining()) {
                pending = null;
            }
        } else if (peerEof) {
            close();
            return;
        }
        if (current == null && !closed) {
            if (!hadPending) {
                sawHeadBytes = false;
                setTimer(T_IDLE, core.options.keepAliveTimeout());
            }
            if (peerEof) {
                endOfInput();
            }
        }
        updateReading();
    }

    /** The dropped rest of a body has ended: the connection waits for its next request. */
    private void drained() {
        draining = false;
        sawHeadBytes = false;
        if (peerEof) {
            close();
            return;
        }
        setTimer(T_IDLE, core.options.keepAliveTimeout());
    }

    /** Whether the connection can read and drop {@code remaining} more body bytes after {@code buffered} unread ones, without pausing. */
    boolean canDrain(long buffered, long remaining) {
        return !closed && !peerEof && buffered + remaining <= core.options.bodyBufferSize();
    }

    /** Bytes of pipelined requests buffered unparsed (for tests). */
    int pendingBytes() {
        return pending == null ? 0 : pending.remaining();
    }

    boolean isIdle() {
        return current == null && pending == null && !sawHeadBytes && !draining;
    }

    // ---- read flow control

    void updateReading() {
        if (closed) {
            return;
        }
        Exchange ex = current;
        boolean pause = ex != null && (ex.body.unread() > core.options.bodyBufferSize()
                || (ex.requestDone && pending != null && pending.remaining() > core.options.pipelineBufferSize()));
        if (pause && !readPaused) {
            readPaused = true;
            transport.pauseReading();
        } else if (!pause && readPaused) {
            readPaused = false;
            transport.resumeReading();
        }
    }

    private void stopReading() {
        if (!readPaused && !closed) {
            readPaused = true;
            transport.pauseReading();
        }
    }

    // ---- timers: one per connection, re-armed only when it fires early

    private void setTimer(int kind, double seconds) {
        timerKind = kind;
        deadline = core.loop.time() + seconds;
        if (timer != null && timerAt > deadline) {
            timer.cancel(); // armed for a later deadline (a longer timeout): re-arm earlier
            timer = null;
        }
        if (timer == null) {
            timerAt = deadline;
            timer = core.loop.callAt(deadline, onTimer);
        }
    }

    private void cancelTimer() {
        timerKind = T_NONE;
        if (timer != null) {
            timer.cancel();
            timer = null;
        }
    }

    private void timerFired() {
        timer = null;
        if (closed || timerKind == T_NONE) {
            return;
        }
        if (core.loop.time() < deadline) {
            timerAt = deadline;
            timer = core.loop.callAt(deadline, onTimer);
            return;
        }
        if (timerKind == T_HEADER && (sawHeadBytes || pending != null)) {
            core.counters.headerTimeouts++;
            refuse(408, "Request Timeout: the request head did not arrive in time");
        } else {
            close();
        }
    }
}
