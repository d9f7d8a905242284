package io.jasyncio.http.internal.client;

import io.jasyncio.AsyncFuture;
import io.jasyncio.AsyncTimeoutException;
import io.jasyncio.Asyncio;
import io.jasyncio.CancelledError;
import io.jasyncio.EventLoop;
import io.jasyncio.Timeout;
import io.jasyncio.TimerHandle;
import io.jasyncio.http.HttpParseException;
import io.jasyncio.http.ResponseHead;
import io.jasyncio.http.client.BodySource;
import io.jasyncio.http.client.ClientConnectionException;
import io.jasyncio.http.client.ClientPayloadException;
import io.jasyncio.http.client.ClientSslException;
import io.jasyncio.http.client.ClientTimeout;
import io.jasyncio.http.client.ClientTimeoutException;
import io.jasyncio.http.client.ClientTrace;
import io.jasyncio.http.client.ServerDisconnectedException;
import io.jasyncio.http.internal.h1.H1Parser;
import io.jasyncio.net.Transport;
import java.io.IOException;
import java.io.Serial;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import javax.net.ssl.SSLException;

/**
 * One request and its response on one connection, driven by the requesting task itself (no task
 * of its own): acquire a connection, write the head and body, await the head, then hand out the
 * body's pieces as they arrive. The connection's protocol callbacks feed it; timers fail it with
 * the {@link ClientTimeoutException} of the limit that fired. When it is released, its connection
 * goes back to the pool only if the response arrived in full on a connection that stays open;
 * on any failure or cancellation the connection is closed.
 */
public final class Exchange {
    private static final int PHASE_POOL = 1, PHASE_CONNECT = 2, PHASE_ACTIVE = 3, PHASE_DONE = 4;
    /** Bytes queued unread before the connection stops reading. */
    private static final int HIGH_WATER = 256 * 1024;
    private static final byte[] LAST_CHUNK = "0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);
    private static final byte[] CRLF = {'\r', '\n'};
    /** Seconds to wait for {@code 100 Continue} before sending the body anyway. */
    private static final double EXPECT_CONTINUE_WAIT = 1.0;

    /** The server closed a reused connection before any byte of the response: retry elsewhere. */
    private static final class Stale extends IOException {
        @Serial
        private static final long serialVersionUID = 1L;

        Stale(Throwable cause) {
            super("the server had closed the kept-alive connection", cause);
        }
    }

    private final Pool pool;
    private final EventLoop loop;
    private final String method;
    private final Target target;
    private final String url;
    private final byte[] head;
    private final byte[] body;
    private final BodySource source;
    private final long sourceLength;
    private final boolean expectContinue;
    private final ClientTimeout timeout;
    private final double deadline;
    private final ClientTrace trace;

    private int phase;
    private Connection conn;
    private boolean reused;
    private boolean retried;
    private TimerHandle totalTimer;
    private AsyncFuture<Void> waiter;
    private Pool.Waiter poolWaiter;

    private ResponseHead response;
    private long contentLength;
    private boolean keepAlive;
    private boolean ended;
    private boolean reusable;
    private boolean gotByte;
    private boolean continued;
    /** Whether the head last parsed was an interim (1xx) one. */
    private boolean interim;
    private boolean bodySent;
    private byte[] first;
    private ArrayDeque<byte[]> chunks;
    private int queued;
    private boolean readingPaused;
    private Throwable failure;
    private boolean released;

    /**
     * A request ready to go.
     *
     * @param pool the session's pool
     * @param method the method
     * @param target where it goes
     * @param head the encoded request head
     * @param body the whole body, or null
     * @param source a streamed body, or null
     * @param sourceLength the streamed body's length, or -1 to send it chunked
     * @param expectContinue send {@code body}/{@code source} only after a 100 Continue
     * @param timeout the limits
     * @param deadline the total deadline on the loop's clock (shared by redirects)
     * @param trace the session's tracing hooks, or null
     */
    public Exchange(Pool pool, String method, Target target, byte[] head, byte[] body, BodySource source,
            long sourceLength, boolean expectContinue, ClientTimeout timeout, double deadline, ClientTrace trace) {
        this.pool = pool;
        this.loop = pool.loop;
        this.method = method;
        this.target = target;
        this.url = target.uri().toString();
        this.head = head;
        this.body = body;
        this.source = source;
        this.sourceLength = sourceLength;
        this.expectContinue = expectContinue && (body != null || source != null);
        this.timeout = timeout;
        this.deadline = deadline;
        this.trace = trace;
    }

    // ------------------------------------------------------------------ the requesting task's side

    /**
     * Sends the request and waits for the response's head. A cancellation point at every wait (for
     * the pool, the connect, the TLS handshake, a full write buffer, the head): if cancelled, the
     * connection is closed (or the slot given back) and nothing is left in the pool half-used.
     *
     * @throws IOException a {@code ClientException} naming the request
     * @throws ClientTimeoutException when a limit fires
     */
    public void start() throws IOException {
        if (deadline != Double.POSITIVE_INFINITY) {
            totalTimer = loop.callAt(deadline, this::onTotal);
        }
        if (trace != null) {
            trace.requestStart(method, target.uri());
        }
        try {
            for (;;) {
                acquire(retried);
                try {
                    sendAndAwaitHead();
                    if (trace != null) {
                        trace.responseHead(method, target.uri(), response.status());
                    }
                    return;
                } catch (Stale s) {
                    dropConnection();
                    if (retried || source != null || !idempotent(method)) {
                        throw new ServerDisconnectedException("the server closed the kept-alive connection to "
                                + target.key() + " before answering " + method + " " + url
                                + (retried || source != null ? "" : "; " + method
                                        + " is not idempotent, so it was not retried on a new connection"),
                                s.getCause());
                    }
                    retried = true;
                    resetResponse();
                }
            }
        } catch (Throwable t) {
            abort();
            if (trace != null && !(t instanceof CancelledError)) {
                trace.requestException(method, target.uri(), t);
            }
            throw t;
        }
    }

    private static boolean idempotent(String m) {
        return switch (m) {
            case "GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE" -> true;
            default -> false;
        };
    }

    private void resetResponse() {
        response = null;
        ended = false;
        gotByte = false;
        continued = false;
        interim = false;
        bodySent = false;
        failure = null;
        first = null;
        chunks = null;
        queued = 0;
    }

    private void acquire(boolean forceNew) throws IOException {
        phase = PHASE_POOL;
        Pool.Host h = pool.host(target.key());
        if (!forceNew) {
            Connection c = pool.takeIdle(h);
            if (c != null) {
                bind(c, true);
                if (trace != null) {
                    trace.connectionReused(method, target.uri());
                }
                return;
            }
        }
        if (!pool.tryReserve(h)) {
            if (trace != null) {
                trace.poolWaitStart(method, target.uri());
            }
            Pool.Waiter w = pool.enqueue(h);
            poolWaiter = w;
            TimerHandle t = timeout.poolAcquire() == Double.POSITIVE_INFINITY ? null
                    : loop.callLater(timeout.poolAcquire(), () -> failPoolWait(ClientTimeout.Kind.POOL_ACQUIRE));
            Connection got;
            try {
                got = w.future.await();
            } finally {
                poolWaiter = null;
                if (t != null) {
                    t.cancel();
                }
                pool.dequeue(w);
            }
            if (got != null) {
                bind(got, true);
                if (trace != null) {
                    trace.connectionReused(method, target.uri());
                }
                return;
            }
        }
        connectNew(h);
    }

    private void failPoolWait(ClientTimeout.Kind kind) {
        Pool.Waiter w = poolWaiter;
        if (w != null && !w.future.isDone()) {
            w.future.setException(timeoutException(kind, "waiting for a connection to " + target.key()
                    + " (" + pool.openCount() + " open, limits " + pool.options.limit() + " in all, "
                    + (pool.options.limitPerHost() == 0 ? "none" : pool.options.limitPerHost()) + " per host)"));
        }
    }

    private void bind(Connection c, boolean wasReused) {
        conn = c;
        reused = wasReused;
        c.exchange = this;
    }

    private void connectNew(Pool.Host h) throws IOException {
        Connection c = pool.newConnection(h);
        bind(c, false);
        phase = PHASE_CONNECT;
        double started = loop.time();
        if (trace != null) {
            trace.connectionCreateStart(method, target.uri());
        }
        double connectDeadline = started + timeout.connect();
        double scopeDeadline = Math.min(connectDeadline, deadline);
        String what = "connecting to " + target.host() + ":" + target.port();
        double handshake = scopeDeadline == Double.POSITIVE_INFINITY ? 86400.0
                : Math.max(scopeDeadline - loop.time(), 0.001);
        try {
            if (scopeDeadline == Double.POSITIVE_INFINITY) {
                pool.open(c, target, timeout.sockConnect(), handshake);
            } else {
                Timeout scope = Asyncio.timeoutAt(scopeDeadline);
                try {
                    scope.run(() -> {
                        pool.open(c, target, timeout.sockConnect(), handshake);
                        return null;
                    });
                } catch (AsyncTimeoutException e) {
                    if (e.timeout() == scope) {
                        throw timeoutException(connectDeadline <= deadline ? ClientTimeout.Kind.CONNECT
                                : ClientTimeout.Kind.TOTAL, what);
                    }
                    throw e;
                }
            }
        } catch (ClientTimeoutException e) {
            throw e;
        } catch (AsyncTimeoutException e) {
            throw timeoutException(ClientTimeout.Kind.SOCKET_CONNECT, what);
        } catch (SSLException e) {
            throw new ClientSslException("TLS with " + target.host() + ":" + target.port() + " failed for "
                    + method + " " + url + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new ClientConnectionException("cannot connect to " + target.host() + ":" + target.port()
                    + " for " + method + " " + url + ": " + e.getMessage(), e);
        }
        phase = PHASE_POOL;
        if (trace != null) {
            trace.connectionCreateEnd(method, target.uri(), loop.time() - started);
        }
    }

    private void sendAndAwaitHead() throws IOException {
        phase = PHASE_ACTIVE;
        Connection c = conn;
        reusable = true;
        c.parser.expectResponseTo(method);
        Transport t = c.transport;
        t.write(head);
        if (!expectContinue) {
            sendBody(t);
        } else {
            // RFC 9110 section 10.1.1: do not wait for the 100 indefinitely (curl waits 1 s too).
            TimerHandle giveUp = loop.callLater(EXPECT_CONTINUE_WAIT, () -> {
                if (!continued && response == null) {
                    continued = true;
                    wake();
                }
            });
            try {
                while (!continued && response == null) {
                    awaitIo(true, "waiting for 100 Continue");
                }
            } finally {
                giveUp.cancel();
            }
            if (response == null) {
                sendBody(t);
            } else {
                reusable = false;  // answered without the body: do not guess what the server will read next
            }
        }
        while (response == null) {
            awaitIo(true, "waiting for the response head");
        }
    }

    private void sendBody(Transport t) throws IOException {
        if (body != null) {
            t.write(body);
        } else if (source != null) {
            boolean chunked = sourceLength < 0;
            long sent = 0;
            byte[] piece;
            while ((piece = source.next()) != null) {
                throwIfFailed();
                if (piece.length == 0) {
                    continue;
                }
                sent += piece.length;
                if (!chunked && sent > sourceLength) {
                    throw new IllegalStateException("the body source gave more than its declared " + sourceLength + " bytes");
                }
                if (chunked) {
                    t.write((Long.toHexString(piece.length) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
                    t.write(piece);
                    t.write(CRLF);
                } else {
                    t.write(piece);
                }
                while (conn.writePaused && failure == null) {
                    awaitIo(false, "sending the body");
                }
            }
            if (chunked) {
                t.write(LAST_CHUNK);
            } else if (sent != sourceLength) {
                throw new IllegalStateException("the body source gave " + sent + " of its declared " + sourceLength + " bytes");
            }
        }
        bodySent = true;
    }

    private void throwIfFailed() throws IOException {
        Throwable f = failure;
        if (f != null) {
            throw io.jasyncio.http.internal.client.Rethrow.<IOException>sneaky(f);
        }
    }

    /**
     * Waits until the connection reports progress; a cancellation point (the caller closes the
     * connection if cancelled). {@code reading} arms the socket-read limit.
     */
    private void awaitIo(boolean reading, String what) throws IOException {
        throwIfFailed();
        AsyncFuture<Void> w = loop.createFuture();
        waiter = w;
        TimerHandle rt = reading && timeout.sockRead() != Double.POSITIVE_INFINITY
                ? loop.callLater(timeout.sockRead(), () -> expire(ClientTimeout.Kind.SOCKET_READ, what)) : null;
        try {
            w.await();
        } finally {
            waiter = null;
            if (rt != null) {
                rt.cancel();
            }
        }
        throwIfFailed();
    }

    /**
     * The next piece of the body as received (still content-coded), or null at its end. A
     * cancellation point while nothing is buffered: if cancelled, the caller aborts.
     */
    public byte[] nextChunk() throws IOException {
        for (;;) {
            byte[] c = first;
            if (c != null) {
                first = null;
            } else if (chunks != null) {
                c = chunks.pollFirst();
            }
            if (c != null) {
                queued -= c.length;
                if (readingPaused && queued <= HIGH_WATER / 4 && conn != null && !conn.closed) {
                    readingPaused = false;
                    conn.transport.resumeReading();
                }
                return c;
            }
            if (ended) {
                return null;
            }
            awaitIo(true, "reading the body");
        }
    }

    /** The response head (after {@link #start()}). */
    public ResponseHead response() {
        return response;
    }

    /** The declared content length, or -1. */
    public long contentLength() {
        return contentLength;
    }

    /** Whether the whole body has arrived (it may still be queued unread). */
    public boolean ended() {
        return ended;
    }

    /** Whether the connection was taken from the pool (not opened for this request). */
    public boolean reusedConnection() {
        return reused;
    }

    /**
     * Ends the exchange: the connection returns to the pool if the response arrived in full on a
     * connection that stays open, and is closed otherwise. Idempotent.
     */
    public void release() {
        if (released) {
            return;
        }
        released = true;
        phase = PHASE_DONE;
        cancelTotal();
        Connection c = conn;
        conn = null;
        if (c == null) {
            return;
        }
        if (ended && failure == null && keepAlive && reusable && bodySent && c.exchange == this) {
            pool.release(c);
        } else {
            pool.discard(c);
        }
    }

    /** Ends the exchange closing its connection, whatever state it is in. Idempotent. */
    public void abort() {
        if (failure == null) {
            reusable = false;
        }
        dropConnection();
        release();
    }

    private void dropConnection() {
        Connection c = conn;
        conn = null;
        if (c != null) {
            pool.discard(c);
        }
    }

    private void cancelTotal() {
        TimerHandle t = totalTimer;
        if (t != null) {
            totalTimer = null;
            t.cancel();
        }
    }

    // ------------------------------------------------------------------ the loop's side

    void wake() {
        AsyncFuture<Void> w = waiter;
        if (w != null) {
            waiter = null;
            if (!w.isDone()) {
                w.setResult(null);
            }
        }
    }

    private ClientTimeoutException timeoutException(ClientTimeout.Kind kind, String what) {
        return ClientTimeoutException.of(kind, method, url, timeout.of(kind), what);
    }

    private void onTotal() {
        totalTimer = null;
        switch (phase) {
            case PHASE_POOL -> failPoolWait(ClientTimeout.Kind.TOTAL);
            case PHASE_ACTIVE -> expire(ClientTimeout.Kind.TOTAL, response == null ? "waiting for the response" : "reading the body");
            default -> { }  // connecting: the connect scope has the total deadline too; done: nothing to do
        }
    }

    private void expire(ClientTimeout.Kind kind, String what) {
        if (failure != null || ended && response != null || released) {
            return;
        }
        fail(timeoutException(kind, what));
    }

    private void fail(Throwable t) {
        failure = t;
        Connection c = conn;
        if (c != null) {
            c.exchange = null;
            c.abort();
        }
        wake();
    }

    void onData(ByteBuffer b) {
        gotByte = true;
        H1Parser p = conn.parser;
        try {
            for (;;) {
                switch (p.next(b)) {
                    case HEAD -> {
                        ResponseHead h = p.responseHead();
                        if (h.isInformational()) {
                            interim = true;  // its END (the parser reports one) does not end the exchange
                            if (h.status() == 100) {
                                continued = true;
                                wake();
                            }
                        } else {
                            response = h;
                            contentLength = p.contentLength();
                            keepAlive = p.keepAlive();
                            wake();
                        }
                    }
                    case BODY -> {
                        ByteBuffer s = p.body();
                        byte[] piece = new byte[s.remaining()];
                        s.get(piece);
                        if (first == null && (chunks == null || chunks.isEmpty())) {
                            first = piece;
                        } else {
                            if (chunks == null) {
                                chunks = new ArrayDeque<>();
                            }
                            chunks.addLast(piece);
                        }
                        queued += piece.length;
                        if (queued > HIGH_WATER && !readingPaused) {
                            readingPaused = true;
                            conn.transport.pauseReading();
                        }
                        wake();
                    }
                    case END -> {
                        if (interim) {
                            interim = false;
                            continue;
                        }
                        onEnd(!b.hasRemaining());
                        return;
                    }
                    case UPGRADE, CLOSED -> {
                        onEnd(false);
                        return;
                    }
                    case NEED_DATA -> {
                        return;
                    }
                }
            }
        } catch (HttpParseException e) {
            fail(new ClientPayloadException("malformed response to " + method + " " + url + ": "
                    + e.getMessage() + " (" + e.code() + ")", e));
        }
    }

    private void onEnd(boolean clean) {
        ended = true;
        if (!clean) {
            reusable = false;
        }
        Connection c = conn;
        if (c != null) {
            c.served++;
        }
        cancelTotal();
        wake();
    }

    void onLost(Exception exc) {
        Connection c = conn;
        if (c != null) {
            c.exchange = null;
        }
        if (ended || failure != null) {
            return;
        }
        reusable = false;
        if (response == null && !gotByte && reused) {
            failure = new Stale(exc);
        } else {
            try {
                if (c != null && c.parser.endOfInput()) {
                    onEnd(false);
                    return;
                }
                failure = new ServerDisconnectedException("the server closed the connection without answering "
                        + method + " " + url + (exc == null ? "" : ": " + exc), exc);
            } catch (HttpParseException e) {
                failure = response == null
                        ? new ServerDisconnectedException("the server closed the connection in the middle of the response head to "
                                + method + " " + url, e)
                        : new ClientPayloadException("the response to " + method + " " + url + " was cut short"
                                + (contentLength >= 0 ? " (Content-Length " + contentLength + ")" : "")
                                + ": the server closed the connection" + (exc == null ? "" : " (" + exc + ")"), e);
            } catch (IllegalStateException e) {
                failure = new ServerDisconnectedException("the server closed the connection to " + method + " " + url, exc);
            }
        }
        wake();
    }

    @Override
    public String toString() {
        return "Exchange[" + method + " " + url + "]";
    }
}
